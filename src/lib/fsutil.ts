/** Durable local file operations: fsync'd writes, atomic replace through a temporary name, directory sync. */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Modes of what backpak keeps for itself (scratch packs and indexes, the local cache): only the
 * user may read them, since for an encrypted repository they hold plaintext.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Makes `dir` (and missing parents) private to the user, tightening it if it exists with a looser mode; true when it had to be tightened. */
export function ensurePrivateDir(dir: string): boolean {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  return tightenTo(dir, PRIVATE_DIR);
}

/** Takes group and other permissions away from `file` (which must exist) down to `mode`; true when it had any to lose. */
export function tightenTo(file: string, mode: number): boolean {
  if ((fs.statSync(file).mode & 0o777 & ~mode) === 0) return false;
  fs.chmodSync(file, mode);
  return true;
}

/** A random suffix for temporary names. */
export function randomTag(): string {
  return randomBytes(6).toString("hex");
}

/** fsyncs a directory so a rename or unlink in it survives a crash (best effort where unsupported). */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes `data` (or its parts, one after another, so they need not be joined first) to `dest`
 * atomically: `<dest>.<tag>.part` (made with `mode`), fsync, rename, sync the directory.
 */
export function writeFileAtomic(dest: string, data: Uint8Array | string | readonly Uint8Array[], mode = PRIVATE_FILE, tag = randomTag()): void {
  const tmp = `${dest}.${tag}.part`;
  const fd = fs.openSync(tmp, "wx", mode);
  try {
    for (const part of typeof data === "string" || data instanceof Uint8Array ? [data] : data) fs.writeFileSync(fd, part);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  renameOrClean(tmp, dest);
}

/** Writes the pieces of a stream to `dest` atomically, as writeFileAtomic does, holding one piece at a time. */
export async function writeStreamAtomic(dest: string, pieces: AsyncIterable<Uint8Array>, mode = PRIVATE_FILE): Promise<void> {
  const tmp = `${dest}.${randomTag()}.part`;
  const fd = fs.openSync(tmp, "wx", mode);
  try {
    for await (const piece of pieces) for (let done = 0; done < piece.length; ) done += fs.writeSync(fd, piece, done);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  renameOrClean(tmp, dest);
}

/**
 * Creates `dest` holding `data`, atomically and only if it doesn't exist yet: the data goes to
 * `<dest>.<random>.part`, is fsynced, then hard-linked as `dest` (which fails with EEXIST if
 * something is there, even something made meanwhile).
 */
export function createFileAtomic(dest: string, data: Uint8Array | string, mode = 0o644): void {
  const tmp = `${dest}.${randomTag()}.part`;
  try {
    writeFileSynced(tmp, data, mode);
    fs.linkSync(tmp, dest);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  syncDir(path.dirname(dest));
}

/** Copies `src` to the new file `dest` and fsyncs it; a failed copy leaves no partial `dest` behind. */
export function copyFileSynced(src: string, dest: string): void {
  try {
    fs.copyFileSync(src, dest, fs.constants.COPYFILE_EXCL);
    const fd = fs.openSync(dest, "r+");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    // EEXIST: the file there is not ours to remove; any other failure may have left a partial copy.
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") fs.rmSync(dest, { force: true });
    throw err;
  }
}

/** Copies `src` to `dest` atomically (through a `.part` file in dest's directory). */
export function copyFileAtomic(src: string, dest: string): void {
  const tmp = `${dest}.${randomTag()}.part`;
  copyFileSynced(src, tmp);
  renameOrClean(tmp, dest);
}

function renameOrClean(tmp: string, dest: string): void {
  try {
    fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(path.dirname(dest));
}

/** Moves a finished (already fsynced) local file into place: rename, or copy + remove across devices. */
export function moveFile(src: string, dest: string): void {
  try {
    fs.renameSync(src, dest);
    syncDir(path.dirname(dest));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    copyFileAtomic(src, dest);
    fs.unlinkSync(src);
  }
}

/** Writes `data` to a new file (made with `mode`) and fsyncs it (no rename; for temporary files the caller renames). */
export function writeFileSynced(file: string, data: Uint8Array | string, mode = PRIVATE_FILE): void {
  const fd = fs.openSync(file, "w", mode);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes all of `data` at byte `at` of the file open as `fd` (one positioned write may do only part). */
export function writeFullyAt(fd: number, data: Uint8Array, at: number): void {
  for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done, at + done);
}

/** Writes `data` at byte `at` of the existing file `file`. */
export function writeIntoFile(file: string, data: Uint8Array, at: number): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY);
  try {
    writeFullyAt(fd, data, at);
  } finally {
    fs.closeSync(fd);
  }
}

/** Positioned reads of a file (a pack, a scratch copy); `close` closes it, once. */
export interface FileRange {
  readonly size: number;
  /** Fills `target` from byte `position` on; returns how many bytes were read (fewer only at the end). */
  readInto(target: Uint8Array, position: number): number;
  close(): void;
}

/** Positioned reads of the file open as `fd`; `close` closes the descriptor. */
export function fdRange(fd: number): FileRange {
  const size = fs.fstatSync(fd).size;
  let open = true;
  return {
    size,
    readInto(target, position) {
      let got = 0;
      while (got < target.length && position + got < size) {
        const n = fs.readSync(fd, target, got, Math.min(target.length - got, size - position - got), position + got);
        if (n === 0) break;
        got += n;
      }
      return got;
    },
    close() {
      if (open) {
        open = false;
        fs.closeSync(fd);
      }
    },
  };
}

/** Positioned reads of `file`. */
export function openFileRange(file: string): FileRange {
  return fdRange(fs.openSync(file, "r"));
}
