/**
 * Pack manifests: a CBOR array of { "type": "chunk"|"tree", "length": u32, "id": 28 bytes },
 * one entry per blob in the order the blobs sit in the pack. Pack ID = SHA-224 of this CBOR.
 */
import { BackpakError } from "../lib/errors.ts";
import { CborWriter, decodeCbor, type CborValue } from "./cbor.ts";
import { idFromDigest, idToDigest, type BlobId } from "./id.ts";

export type BlobType = "chunk" | "tree";

export interface ManifestEntry {
  readonly type: BlobType;
  readonly length: number;
  readonly id: BlobId;
}

export type Manifest = readonly ManifestEntry[];

export function writeManifest(w: CborWriter, manifest: Manifest): void {
  w.array(manifest.length);
  for (const e of manifest) {
    w.map(3).text("type").text(e.type).text("length").int(e.length).text("id").bytes(idToDigest(e.id));
  }
}

export function encodeManifest(manifest: Manifest): Uint8Array {
  const w = new CborWriter();
  writeManifest(w, manifest);
  return w.finish();
}

/** Reads a decoded manifest array; `what` names the object in errors. */
export function manifestFromCbor(v: CborValue, what: string): ManifestEntry[] {
  const bad = (msg: string): never => {
    throw new BackpakError("corrupt", `${what} has a malformed manifest: ${msg}`);
  };
  if (!Array.isArray(v)) return bad("not an array");
  return v.map((e, i) => {
    if (!(e instanceof Map)) return bad(`entry ${i} is not a map`);
    const type = e.get("type");
    const length = e.get("length");
    const id = e.get("id");
    if (type !== "chunk" && type !== "tree") return bad(`entry ${i} has type ${JSON.stringify(type)}`);
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length > 0xffffffff) {
      return bad(`entry ${i} has a bad length`);
    }
    if (!(id instanceof Uint8Array) || id.length !== 28) return bad(`entry ${i} has a bad ID`);
    return { type, length, id: idFromDigest<"blob">(id) };
  });
}

export function decodeManifest(bytes: Uint8Array, what: string): ManifestEntry[] {
  return manifestFromCbor(decodeCbor(bytes, what), what);
}
