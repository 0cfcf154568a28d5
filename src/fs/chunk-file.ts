/**
 * Reads a file and cuts it into content-defined chunks named by their SHA-224. Small files are
 * read whole; larger ones stream through in blocks, so memory stays bounded by the block size
 * plus one maximum-size chunk.
 */
import fs from "node:fs";
import type { BlobId } from "../format/id.ts";
import type { Chunker } from "../kernels/fastcdc/index.ts";
import { hashId } from "../kernels/sha224.ts";
import { BackpakError } from "../lib/errors.ts";

export interface FileChunk {
  readonly id: BlobId;
  readonly bytes: Uint8Array;
}

/** Files below this size are read in one go (as backpak does). */
export const WHOLE_FILE_LIMIT = 10 * 1024 * 1024;
const BLOCK = 8 * 1024 * 1024;

/** Reads up to `buf.length` bytes at the file position; returns how many were read. */
function readFully(fd: number, buf: Uint8Array, path: string): number {
  let got = 0;
  while (got < buf.length) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, got, buf.length - got, null);
    } catch (err) {
      throw new BackpakError("io", `Couldn't read ${path}`, { cause: err });
    }
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Yields the chunks of the file at `path`, in order; `sizeHint` (its size from stat) sizes the first read. */
export function* chunkFile(path: string, chunker: Chunker, sizeHint: number): Generator<FileChunk> {
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (err) {
    throw new BackpakError("io", `Can't open ${path}`, { cause: err });
  }
  try {
    let pending: Uint8Array = new Uint8Array(0);
    const emit = function* (lengths: { length: number }[]): Generator<FileChunk> {
      let off = 0;
      for (const { length } of lengths) {
        const bytes = pending.subarray(off, off + length);
        off += length;
        yield { id: hashId<"blob">(bytes), bytes };
      }
      pending = pending.subarray(off);
    };
    // One byte more than expected, so a file that did not grow is read (and seen to end) in one call.
    let blockSize = Math.min(sizeHint + 1, WHOLE_FILE_LIMIT);
    for (;;) {
      const block = new Uint8Array(blockSize);
      blockSize = BLOCK;
      const n = readFully(fd, block, path);
      const data = block.subarray(0, n);
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      yield* emit(chunker.push(data));
      if (n < block.length) break;
    }
    yield* emit(chunker.finish());
  } finally {
    fs.closeSync(fd);
  }
}
