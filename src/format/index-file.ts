/**
 * Index files: CBOR map { "supersedes": [index IDs, sorted], "packs": { pack ID → manifest, sorted } }.
 * On disk: "MKBAKIDX1" + zstd(CBOR). Index ID = SHA-224 of the uncompressed CBOR.
 */
import { CborWriter } from "./cbor.ts";
import { CborCursor } from "./cbor-cursor.ts";
import { idToDigest, type IndexId, type PackId } from "./id.ts";
import { readManifest, writeManifest, type Manifest } from "./manifest.ts";

export interface IndexContents {
  readonly supersedes: ReadonlySet<IndexId>;
  readonly packs: ReadonlyMap<PackId, Manifest>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function encodeIndex(index: IndexContents): Uint8Array {
  const w = new CborWriter();
  w.map(2).text("supersedes");
  const supersedes = [...index.supersedes].sort(byText);
  w.array(supersedes.length);
  for (const id of supersedes) w.bytes(idToDigest(id));
  w.text("packs");
  const packs = [...index.packs.keys()].sort(byText);
  w.map(packs.length);
  for (const id of packs) {
    w.bytes(idToDigest(id));
    writeManifest(w, index.packs.get(id)!);
  }
  return w.finish();
}

export function decodeIndex(bytes: Uint8Array, what: string): IndexContents {
  const c = new CborCursor(bytes, what);
  const supersedes = new Set<IndexId>();
  const packs = new Map<PackId, Manifest>();
  const list = (each: () => void, n: number): void => {
    if (n < 0) while (!c.atBreak()) each();
    else for (let i = 0; i < n; i++) each();
  };
  list(() => {
    switch (c.key()) {
      case "supersedes":
        list(() => supersedes.add(c.id<"index">()), c.array());
        break;
      case "packs":
        list(() => {
          const id = c.id<"pack">();
          packs.set(id, readManifest(c));
        }, c.map());
        break;
      default:
        c.skip();
    }
  }, c.map());
  if (!c.done) c.fail("trailing bytes after the index");
  return { supersedes, packs };
}
