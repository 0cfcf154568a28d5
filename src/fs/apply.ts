/** Writing restored nodes to disk: files from their chunks, symlinks, directories, and their metadata. */
import fs from "node:fs";
import nodePath from "node:path";
import { randomTag } from "../lib/fsutil.ts";
import type { BlobId } from "../format/id.ts";
import type { Node } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { setTimes } from "./times.ts";

export interface ChunkSource {
  chunk(id: BlobId): Promise<Uint8Array>;
}

/**
 * Writes the file's chunks to a temporary file beside `path`, then renames it into place, so a
 * failed read never leaves a half-written file or destroys the old one. A file being replaced
 * keeps its permission bits unless the caller sets them afterwards.
 */
export async function writeFileFromChunks(path: string, chunks: readonly BlobId[], source: ChunkSource): Promise<void> {
  const tmp = `${nodePath.dirname(path)}/.${nodePath.basename(path)}.backpak-${randomTag()}`;
  let fd: number;
  try {
    fd = fs.openSync(tmp, "wx", 0o666);
  } catch (err) {
    throw new BackpakError("io", `Couldn't create file ${path}`, { cause: err });
  }
  try {
    for (const id of chunks) {
      const bytes = await source.chunk(id);
      let off = 0;
      while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
    }
    const old = fs.lstatSync(path, { throwIfNoEntry: false });
    if (old?.isFile()) fs.fchmodSync(fd, old.mode & 0o7777);
    fs.closeSync(fd);
    fs.renameSync(tmp, path);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fs.rmSync(tmp, { force: true });
    throw err instanceof BackpakError ? err : new BackpakError("io", `Couldn't write ${path}`, { cause: err });
  }
}

export function makeSymlink(target: string, path: string): void {
  try {
    fs.symlinkSync(target, path);
  } catch (err) {
    throw new BackpakError("io", `Couldn't create symlink ${path}`, { cause: err });
  }
}

export function makeDir(path: string): void {
  try {
    fs.mkdirSync(path);
  } catch (err) {
    throw new BackpakError("io", `Couldn't create dir ${path}`, { cause: err });
  }
}

/** Removes a node: directories with everything in them, anything else by unlinking (never following symlinks). */
export function removeNode(path: string, isDir: boolean): void {
  try {
    if (isDir) fs.rmSync(path, { recursive: true, force: false });
    else fs.unlinkSync(path);
  } catch (err) {
    throw new BackpakError("io", `Couldn't remove ${path}`, { cause: err });
  }
}

/** Applies a node's times (atime and mtime, on the node itself) and/or permissions (never on symlinks). */
export function applyMetadata(path: string, node: Node, opts: { times: boolean; permissions: boolean }): void {
  const m = node.metadata;
  if (opts.times) {
    const now = BigInt(Date.now()) * 1_000_000n;
    const atime = (m.type === "posix" ? m.atime : m.accessTime) ?? now;
    const mtime = (m.type === "posix" ? m.mtime : m.writeTime) ?? now;
    setTimes(path, atime, mtime);
  }
  if (opts.permissions && node.contents.kind !== "symlink") {
    if (m.type !== "posix") throw new BackpakError("usage", `Can't restore Windows permissions onto ${path}`);
    try {
      fs.chmodSync(path, m.mode & 0o7777);
    } catch (err) {
      throw new BackpakError("io", `Couldn't chmod ${path}`, { cause: err });
    }
  }
}
