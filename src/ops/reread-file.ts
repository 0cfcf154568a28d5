/**
 * Reads again, on the main thread, a file that changed while the pipeline read it (it grew,
 * shrank, was rewritten, replaced, deleted or retyped): up to RETRIES more times, until it is the
 * same (size, mtime, ctime, still linked) from open to the end of the read. Chunks are cut and
 * hashed here and new ones packed through `store`; the node records the metadata seen after the
 * read, with the size of the bytes read. Each outcome is warned about, naming the file.
 */
import fs from "node:fs";
import type { BlobId } from "../format/id.ts";
import type { Node } from "../format/tree.ts";
import { unchangedSince } from "../fs/file-stamp.ts";
import { reach } from "../fs/long-path.ts";
import { statFd, toMetadata } from "../fs/metadata.ts";
import { createChunker, type Chunker } from "../kernels/fastcdc/index.ts";
import { hashId } from "../kernels/sha224.ts";
import { log } from "../lib/log.ts";
import { READ_BLOCK, runReadHook, type ReadHook } from "../pipeline/read-hook.ts";

/** Rereads after the pipeline's read, so a file is read at most 1 + RETRIES times. */
export const RETRIES = 2;
/** Non-blocking, so a file replaced by a FIFO can't hang the read (it has no effect on regular files). */
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

/** Packs a chunk unless it is already stored or queued; true if it was new. */
export type ChunkStore = (id: BlobId, bytes: Uint8Array) => Promise<boolean>;

let chunker: Chunker | undefined;

/** The node of the file at `path` as read again, or undefined when it can't be read any more (it is then left out). */
export async function rereadFile(path: string, store: ChunkStore, hook: ReadHook | undefined): Promise<Node | undefined> {
  for (let attempt = 2; ; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(reach(path), OPEN_FLAGS);
    } catch (err) {
      return leftOut(path, (err as Error).message);
    }
    try {
      const before = statFd(fd, path);
      if ((before.mode & 0o170000) !== 0o100000) return leftOut(path, "it is no longer a regular file");
      runReadHook(hook, path, attempt, 0);
      const { chunks, size } = await readChunks(fd, before.size, store, (block) => runReadHook(hook, path, attempt, block));
      const after = statFd(fd, path);
      const steady = unchangedSince(before, after) && size === after.size;
      if (steady || attempt > RETRIES) {
        if (steady) log.warn(`${path} changed while it was being read; stored as read again, unchanged`);
        else log.warn(`${path} kept changing while it was being read (${attempt} times); stored as last read, but its contents may be inconsistent`);
        return { contents: { kind: "file", chunks }, metadata: { ...toMetadata(after), size } };
      }
    } catch (err) {
      return leftOut(path, (err as Error).message);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function leftOut(path: string, why: string): undefined {
  log.warn(`${path} changed while it was being read and can't be read again (${why}); it is left out`);
  return undefined;
}

/** Reads at most `limit` bytes of `fd` (fewer if it ends first), cutting and hashing them into chunks as backup does. */
async function readChunks(fd: number, limit: number, store: ChunkStore, afterBlock: (block: number) => void): Promise<{ chunks: BlobId[]; size: number }> {
  chunker ??= createChunker("wasm");
  const cut: Uint8Array[] = [];
  const take = (chunk: Uint8Array): void => void cut.push(chunk.slice());
  const chunks: BlobId[] = [];
  const flush = async (): Promise<void> => {
    for (const bytes of cut.splice(0)) {
      const id = hashId<"blob">(bytes);
      await store(id, bytes);
      chunks.push(id);
    }
  };
  const block = new Uint8Array(Math.min(READ_BLOCK, Math.max(limit, 1)));
  let size = 0;
  try {
    for (let blocks = 1; size < limit; blocks++) {
      const want = Math.min(block.length, limit - size);
      let got = 0;
      for (;;) {
        const n = got < want ? fs.readSync(fd, block, got, want - got, size + got) : 0;
        if (n === 0) break;
        got += n;
      }
      size += got;
      chunker.push(block.subarray(0, got), take);
      afterBlock(blocks);
      await flush();
      if (got < want) break;
    }
    chunker.finish(take);
  } catch (err) {
    chunker.finish(); // ready for the next file
    throw err;
  }
  await flush();
  return { chunks, size };
}
