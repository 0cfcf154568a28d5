/**
 * Reading and verifying pack files: "MKBAKPAK1", a zstd stream of the blobs (one frame as backpak
 * writes it, or several concatenated frames as we do), the zstd-compressed manifest, and its
 * compressed length as a big-endian u32.
 */
import { cborCapFor } from "../format/cbor-cap.ts";
import { PACK_MAGIC, hasMagic } from "../format/magic.ts";
import { decodeManifest, decodeManifestColumns, type Manifest, type ManifestColumns, type ManifestEntry } from "../format/manifest.ts";
import type { PackId } from "../format/id.ts";
import type { RangeReader } from "../backend/index.ts";
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
  return readPackLayoutFrom({ size: file.length, readInto: (t, p) => (t.set(file.subarray(p, p + t.length)), Math.min(t.length, Math.max(0, file.length - p))) }, id);
}

/** The same, reading only the pack's first bytes and its tail through positioned reads. */
export function readPackLayoutFrom(reader: Pick<RangeReader, "size" | "readInto">, id: PackId): PackLayout {
  const { cbor, blobsEnd } = manifestFrom(reader, id);
  return { manifest: decodeManifest(cbor, `pack ${id}`), blobsEnd };
}

/** The same, with the manifest as columns (for packs' readers, which need no object per blob). */
export function readPackColumnsFrom(reader: Pick<RangeReader, "size" | "readInto">, id: PackId): { readonly blobs: ManifestColumns; readonly blobsEnd: number } {
  const { cbor, blobsEnd } = manifestFrom(reader, id);
  return { blobs: decodeManifestColumns(cbor, `pack ${id}`), blobsEnd };
}

/** A pack's manifest CBOR, checked against the pack's ID, and where its blob stream ends. */
function manifestFrom(reader: Pick<RangeReader, "size" | "readInto">, id: PackId): { cbor: Uint8Array; blobsEnd: number } {
  const what = `pack ${id}`;
  const size = reader.size;
  const head = new Uint8Array(Math.min(PACK_MAGIC.length, size));
  reader.readInto(head, 0);
  if (!hasMagic(head, PACK_MAGIC)) throw new BackpakError("corrupt", `Wrong magic bytes for packfile ${id}`);
  if (size < PACK_MAGIC.length + 4) throw new BackpakError("corrupt", `${what} is truncated`);
  const tail = new Uint8Array(4);
  reader.readInto(tail, size - 4);
  const len = readU32BE(tail, 0);
  const start = size - 4 - len;
  if (start < PACK_MAGIC.length) throw new BackpakError("corrupt", `${what} is truncated: its manifest length ${len} runs past the start`);
  const frame = new Uint8Array(len);
  reader.readInto(frame, start);
  const cbor = zstdDecompress(frame, `${what}'s manifest`, { atMost: cborCapFor(frame.length) });
  const actual = hashId<"pack">(cbor);
  if (actual !== id) throw new BackpakError("corrupt", `Pack ${id}'s manifest changed! Now hashes to ${actual}`);
  return { cbor, blobsEnd: start };
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
  const total = manifest.reduce((n, e) => n + e.length, 0);
  const data = zstdDecompress(file.subarray(PACK_MAGIC.length, layout.blobsEnd), `pack ${id}'s blobs`, { exactly: total });
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
