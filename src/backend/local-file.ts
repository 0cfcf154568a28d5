/** Local-file helpers for backends that keep copies on disk: scratch files and downloads into them, whole reads, chunked copies, upload sizes. */
import fs from "node:fs";
import path from "node:path";
import { BackpakError } from "../lib/errors.ts";
import { fdRange, randomTag, writeFullyAt } from "../lib/fsutil.ts";
import type { RangeReader } from "./backend.ts";

/** How much a copy moves at a time. */
export const COPY_CHUNK = 1 << 20;

/** Where a backend's scratch files go: a directory, or a function that gives one when first needed; by default the working directory at the time. */
export type ScratchDir = string | (() => string);

/** The directory `dir` names (see ScratchDir). */
export function scratchDirOf(dir: ScratchDir | undefined): string {
  return typeof dir === "function" ? dir() : (dir ?? process.cwd());
}

/** A fresh name for a scratch file in `dir`: `backpak-<label>-<random>.tmp`. */
export function scratchPath(dir: string, label: string): string {
  return path.join(dir, `backpak-${label}-${randomTag()}.tmp`);
}

/** A new scratch file in `dir`, open for reading and writing and already nameless, so nothing is left behind however this process ends. */
export function anonymousScratchFile(dir: string, label: string): number {
  const file = scratchPath(dir, label);
  const fd = fs.openSync(file, "wx+", 0o600);
  fs.unlinkSync(file);
  return fd;
}

/** The whole content of the file open as `fd`, which is then closed. */
export function readAllAndClose(fd: number): Uint8Array {
  const r = fdRange(fd);
  try {
    const out = new Uint8Array(r.size);
    const n = r.readInto(out, 0);
    return n === out.length ? out : out.subarray(0, n);
  } finally {
    r.close();
  }
}

/** Writes `source` (bytes, or every byte of a range reader) to `fd` from offset `at` on; returns the length written. */
export function writeAllTo(fd: number, source: Uint8Array | RangeReader, at = 0): number {
  if (source instanceof Uint8Array) {
    writeFullyAt(fd, source, at);
    return source.length;
  }
  const buf = new Uint8Array(Math.min(COPY_CHUNK, Math.max(source.size, 1)));
  let pos = 0;
  for (;;) {
    const n = source.readInto(buf, pos);
    if (n === 0) break;
    writeFullyAt(fd, buf.subarray(0, n), at + pos);
    pos += n;
  }
  return pos;
}

/** The size of the local file `localPath` that is to be uploaded as `key`. */
export function uploadSize(localPath: string, key: string): number {
  try {
    return fs.statSync(localPath).size;
  } catch (err) {
    throw new BackpakError("io", `Couldn't read ${localPath} to upload it as ${key}`, { cause: err });
  }
}

/** Where one attempt at a download writes its chunks. */
export type ChunkSink = (chunk: Uint8Array) => void;

/**
 * Downloads `key` into a new nameless scratch file in `dir` and opens it for positioned reads.
 * `download` calls `startOver` at the start of each attempt (emptying the file) for the sink of its chunks.
 */
export async function downloadToScratch(dir: string, key: string, download: (startOver: () => ChunkSink) => Promise<void>): Promise<RangeReader> {
  const fd = anonymousScratchFile(dir, "download");
  try {
    await download(() => {
      fs.ftruncateSync(fd, 0);
      let at = 0;
      return (chunk) => {
        try {
          at += writeAllTo(fd, chunk, at);
        } catch (err) {
          throw new BackpakError("io", `Couldn't save the download of ${key} to a scratch file`, { cause: err });
        }
      };
    });
    return fdRange(fd);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}
