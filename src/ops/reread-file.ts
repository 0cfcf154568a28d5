/**
 * Reads again, on the main thread, a file that changed while the pipeline read it (it grew,
 * shrank, was rewritten, replaced, deleted or retyped): up to RETRIES more times, until it is the
 * same (size, mtime, ctime, still linked) from open to the end of the read. Chunks are cut and
 * hashed here and new ones packed through `store`; the node records the metadata seen after the
 * read, with the size of the bytes read. Each outcome is warned about, naming the file.
 */
import fs from "node:fs";
import type { Node } from "../format/tree.ts";
import { unchangedSince } from "../fs/file-stamp.ts";
import { reach } from "../fs/long-path.ts";
import { statFd, toMetadata } from "../fs/metadata.ts";
import { log } from "../lib/log.ts";
import { READ_BLOCK, runReadHook, type ReadHook } from "../pipeline/read-hook.ts";
import { chunkBlocks, type ChunkStore } from "./chunk-blocks.ts";

/** Rereads after the pipeline's read, so a file is read at most 1 + RETRIES times. */
export const RETRIES = 2;
/** Non-blocking, so a file replaced by a FIFO can't hang the read (it has no effect on regular files). */
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

/**
 * The node of the file at `path` as read again, or undefined when it can't be read any more (it is
 * then left out); throws UnreadableFile when a read fails with an I/O error.
 */
export async function rereadFile(path: string, store: ChunkStore, hook: ReadHook | undefined): Promise<Node | undefined> {
  for (let attempt = 2; ; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(reach(path), OPEN_FLAGS);
    } catch (err) {
      return leftOut(path, err);
    }
    try {
      const before = statFd(fd, path);
      if ((before.mode & 0o170000) !== 0o100000) return leftOut(path, new Error("it is no longer a regular file"));
      runReadHook(hook, path, attempt, 0);
      const { chunks, size } = await chunkBlocks(fileBlocks(fd, before.size, (block) => runReadHook(hook, path, attempt, block)), store);
      const after = statFd(fd, path);
      const steady = unchangedSince(before, after) && size === after.size;
      if (steady || attempt > RETRIES) {
        if (steady) log.warn(`${path} changed while it was being read; stored as read again, unchanged`);
        else log.warn(`${path} kept changing while it was being read (${attempt} times); stored as last read, but its contents may be inconsistent`);
        return { contents: { kind: "file", chunks }, metadata: { ...toMetadata(after), size } };
      }
    } catch (err) {
      return leftOut(path, err);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** A file whose read failed with an I/O error (EIO): unreadable, not changed. */
export class UnreadableFile extends Error {
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(`${path} can't be read (${why})`);
  }
}

function leftOut(path: string, err: unknown): undefined {
  if ((err as NodeJS.ErrnoException).code === "EIO") throw new UnreadableFile(path, "input/output error");
  const why = err instanceof Error ? err.message : String(err);
  log.warn(`${path} changed while it was being read and can't be read again (${why}); it is left out`);
  return undefined;
}

/** The blocks of at most `limit` bytes of `fd` (fewer if it ends first), in one reused buffer; `afterBlock` runs once each was chunked. */
function* fileBlocks(fd: number, limit: number, afterBlock: (block: number) => void): Generator<Uint8Array> {
  const block = new Uint8Array(Math.min(READ_BLOCK, Math.max(limit, 1)));
  for (let size = 0, blocks = 1; size < limit; blocks++) {
    const want = Math.min(block.length, limit - size);
    let got = 0;
    for (;;) {
      const n = got < want ? fs.readSync(fd, block, got, want - got, size + got) : 0;
      if (n === 0) break;
      got += n;
    }
    size += got;
    yield block.subarray(0, got);
    afterBlock(blocks);
    if (got < want) break;
  }
}
