/**
 * Reading and verifying pack files: "MKBAKPAK1", a zstd stream of the blobs (one frame as backpak
 * writes it, or several concatenated frames as we do), the zstd-compressed manifest, and its
 * compressed length as a big-endian u32.
 */
import { PACK_MAGIC, hasMagic } from "../format/magic.ts";
import { decodeManifest, type Manifest, type ManifestEntry } from "../format/manifest.ts";
import type { PackId } from "../format/id.ts";
import { readU32BE } from "../lib/bytes.ts";
import { BackpakError } from "../lib/errors.ts";
import { hashId } from "../kernels/sha224.ts";
import { zstdDecompress } from "../kernels/zstd.ts";

/** Where the parts of a pack file lie. */
export interface PackLayout {
  readonly manifest: Manifest;
  /** Byte range of the blob stream: [9, blobsEnd). */
  readonly blobsEnd: number;
}

/** Reads a pack's manifest from its tail and checks it hashes to the pack's ID. */
export function readPackLayout(file: Uint8Array, id: PackId): PackLayout {
  const what = `pack ${id}`;
  if (!hasMagic(file, PACK_MAGIC)) throw new BackpakError("corrupt", `Wrong magic bytes for packfile ${id}`);
  if (file.length < PACK_MAGIC.length + 4) throw new BackpakError("corrupt", `${what} is truncated`);
  const len = readU32BE(file, file.length - 4);
  const start = file.length - 4 - len;
  if (start < PACK_MAGIC.length) throw new BackpakError("corrupt", `${what} is truncated: its manifest length ${len} runs past the start`);
  const cbor = zstdDecompress(file.subarray(start, file.length - 4), `${what}'s manifest`);
  const actual = hashId<"pack">(cbor);
  if (actual !== id) throw new BackpakError("corrupt", `Pack ${id}'s manifest changed! Now hashes to ${actual}`);
  return { manifest: decodeManifest(cbor, what), blobsEnd: start };
}

export interface PackBlob {
  readonly entry: ManifestEntry;
  readonly bytes: Uint8Array;
}

/**
 * Decompresses a pack's blobs in manifest order, checking each against its ID. `manifest` is the
 * one the caller trusts (the index's); the file's own must agree where the caller checks that.
 */
export function unpackBlobs(file: Uint8Array, id: PackId, manifest: Manifest, layout: PackLayout = readPackLayout(file, id)): PackBlob[] {
  const data = zstdDecompress(file.subarray(PACK_MAGIC.length, layout.blobsEnd), `pack ${id}'s blobs`);
  const total = manifest.reduce((n, e) => n + e.length, 0);
  if (data.length !== total) {
    throw new BackpakError("corrupt", `Pack ${id} holds ${data.length} bytes of blobs but its manifest lists ${total}`);
  }
  const out: PackBlob[] = [];
  let off = 0;
  for (const entry of manifest) {
    const bytes = data.subarray(off, off + entry.length);
    off += entry.length;
    const actual = hashId(bytes);
    if (actual !== entry.id) {
      throw new BackpakError("corrupt", `Pack ${id}: ${entry.type} ${entry.id} hashes to ${actual}`);
    }
    out.push({ entry, bytes });
  }
  return out;
}
