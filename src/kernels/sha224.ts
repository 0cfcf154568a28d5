/** SHA-224, the format's hash, on Bun's native (SHA-NI) implementation; IDs of byte ranges. */
import { idFromDigest, type IdKind, type ObjectId } from "../format/id.ts";

/** SHA-224 of `data` as 28 raw bytes. */
export function sha224(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(Bun.CryptoHasher.hash("sha224", data));
}

/** The object ID of `data`: its SHA-224 in base32hex. */
export function hashId<K extends IdKind>(data: Uint8Array | string): ObjectId<K> {
  return idFromDigest<K>(sha224(data));
}

/** Incremental SHA-224 for data that arrives in pieces. */
export class IdHasher {
  #h = new Bun.CryptoHasher("sha224");
  update(data: Uint8Array): this {
    this.#h.update(data);
    return this;
  }
  /** Finishes and returns the ID; the hasher starts over afterwards. */
  finish<K extends IdKind>(): ObjectId<K> {
    const id = idFromDigest<K>(new Uint8Array(this.#h.digest()));
    this.#h = new Bun.CryptoHasher("sha224");
    return id;
  }
}
