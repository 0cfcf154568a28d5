/**
 * Index files: CBOR map { "supersedes": [index IDs, sorted], "packs": { pack ID → manifest, sorted } }.
 * On disk: "MKBAKIDX1" + zstd(CBOR). Index ID = SHA-224 of the uncompressed CBOR.
 */
import { BackpakError } from "../lib/errors.ts";
import { CborWriter, decodeCbor } from "./cbor.ts";
import { idFromDigest, idToDigest, type IndexId, type PackId } from "./id.ts";
import { manifestFromCbor, writeManifest, type Manifest } from "./manifest.ts";

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
  const v = decodeCbor(bytes, what);
  const bad = (msg: string): never => {
    throw new BackpakError("corrupt", `${what} is malformed: ${msg}`);
  };
  if (!(v instanceof Map)) return bad("not a map");
  const sup = v.get("supersedes");
  const packs = v.get("packs");
  if (!Array.isArray(sup)) return bad("supersedes is not an array");
  if (!(packs instanceof Map)) return bad("packs is not a map");
  const supersedes = new Set<IndexId>();
  for (const s of sup) {
    if (!(s instanceof Uint8Array) || s.length !== 28) return bad("a superseded ID is not 28 bytes");
    supersedes.add(idFromDigest<"index">(s));
  }
  const out = new Map<PackId, Manifest>();
  for (const [k, m] of packs) {
    if (!(k instanceof Uint8Array) || k.length !== 28) return bad("a pack ID is not 28 bytes");
    const id = idFromDigest<"pack">(k);
    out.set(id, manifestFromCbor(m, `${what} (pack ${id})`));
  }
  return { supersedes, packs: out };
}
