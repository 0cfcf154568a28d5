/**
 * Index files: CBOR map { "supersedes": [index IDs, sorted], "packs": { pack ID → manifest, sorted } }.
 * On disk: "MKBAKIDX1" + zstd(CBOR). Index ID = SHA-224 of the uncompressed CBOR.
 */
import { CborWriter, headLength } from "./cbor.ts";
import { CborCursor } from "./cbor-cursor.ts";
import { idFromDigest, type IndexId, type PackId } from "./id.ts";
import { visitManifest, writeManifest, type Manifest, type ManifestEntry, type ManifestVisitor } from "./manifest.ts";

export interface IndexContents {
  readonly supersedes: ReadonlySet<IndexId>;
  readonly packs: ReadonlyMap<PackId, Manifest>;
}

/**
 * What an index is encoded from: as IndexContents, except that a pack's manifest may be its CBOR
 * already encoded (what the pack's ID hashes), written as it is.
 */
export interface EncodableIndex {
  readonly supersedes: ReadonlySet<IndexId>;
  readonly packs: ReadonlyMap<PackId, Manifest | Uint8Array>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The CBOR's size: exact when every manifest is already encoded (so the writer's buffer is the result, not copied), else an estimate. */
function encodedSize(index: EncodableIndex): number {
  const s = index.supersedes.size;
  let size = 1 + 11 + headLength(s) + 30 * s + 6 + headLength(index.packs.size);
  for (const m of index.packs.values()) size += 30 + (m instanceof Uint8Array ? m.length : 16 + m.length * 58);
  return size;
}

export function encodeIndex(index: EncodableIndex): Uint8Array {
  const w = new CborWriter(encodedSize(index));
  w.map(2).text("supersedes");
  const supersedes = [...index.supersedes].sort(byText);
  w.array(supersedes.length);
  for (const id of supersedes) w.idBytes(id);
  w.text("packs");
  const packs = [...index.packs.keys()].sort(byText);
  w.map(packs.length);
  for (const id of packs) {
    w.idBytes(id);
    const m = index.packs.get(id)!;
    if (m instanceof Uint8Array) w.raw(m);
    else writeManifest(w, m);
  }
  return w.finish();
}

/** What reading an index hands on: its superseded indexes, then each pack and its blobs, without making objects of them. */
export interface IndexVisitor {
  /** The CBOR's size, first, to make room by (see mostEntriesIn). */
  size?(cborBytes: number): void;
  supersedes(id: IndexId): void;
  /** A pack's ID (28 bytes at `at` of `data`); false skips its manifest. */
  pack(data: Uint8Array, at: number): boolean;
  blob: ManifestVisitor;
}

/** Reads an index's CBOR, handing what it lists to `v` in the order it is written. */
export function visitIndex(bytes: Uint8Array, what: string, v: IndexVisitor): void {
  v.size?.(bytes.length);
  const c = new CborCursor(bytes, what);
  const list = (each: () => void, n: number): void => {
    if (n < 0) while (!c.atBreak()) each();
    else for (let i = 0; i < n; i++) each();
  };
  list(() => {
    switch (c.key()) {
      case "supersedes":
        list(() => v.supersedes(c.id<"index">()), c.array());
        break;
      case "packs":
        list(() => {
          if (v.pack(c.data, c.digestAt())) visitManifest(c, v.blob);
          else c.skip();
        }, c.map());
        break;
      default:
        c.skip();
    }
  }, c.map());
  if (!c.done) c.fail("trailing bytes after the index");
}

export function decodeIndex(bytes: Uint8Array, what: string): IndexContents {
  const supersedes = new Set<IndexId>();
  const packs = new Map<PackId, Manifest>();
  let manifest: ManifestEntry[] = [];
  visitIndex(bytes, what, {
    supersedes: (id) => void supersedes.add(id),
    pack: (data, at) => {
      packs.set(idFromDigest<"pack">(data, at), (manifest = []));
      return true;
    },
    blob: (type, length, data, at) => void manifest.push({ type, length, id: idFromDigest<"blob">(data, at) }),
  });
  return { supersedes, packs };
}
