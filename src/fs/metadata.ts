/** `stat` of a path or an open file (statx, else node:fs), and node metadata as backpak records it (POSIX: mode, size for files, uid, gid, atime, mtime in ns). */
import fs from "node:fs";
import type { PosixMetadata } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { fstatx, type RawStat, statx } from "./statx.ts";

/** The metadata a tree records for a stat. */
export function toMetadata(st: RawStat): PosixMetadata {
  const { mode, uid, gid, atime, mtime } = st;
  return (mode & 0o170000) === 0o100000 ? { type: "posix", mode, size: st.size, uid, gid, atime, mtime } : { type: "posix", mode, uid, gid, atime, mtime };
}

/** A node:fs stat as the fields backpak keeps. */
function fromNode(st: fs.BigIntStats): RawStat {
  return { mode: Number(st.mode), uid: Number(st.uid), gid: Number(st.gid), size: Number(st.size), atime: st.atimeNs, mtime: st.mtimeNs, ctime: st.ctimeNs, nlink: Number(st.nlink), dev: Number(st.dev) };
}

/** Stats `path` (following a final symlink only with `follow`): statx, or node:fs where that isn't available; throws node:fs's error. */
export function statRaw(path: string, follow: boolean): RawStat {
  return statx(path, follow) ?? fromNode(follow ? fs.statSync(path, { bigint: true }) : fs.lstatSync(path, { bigint: true }));
}

/** Stats the open file `fd` (opened from `path`, which errors name). */
export function statFd(fd: number, path: string): RawStat {
  const st = fstatx(fd);
  if (st) return st;
  try {
    return fromNode(fs.fstatSync(fd, { bigint: true }));
  } catch (err) {
    throw new BackpakError("io", `Couldn't stat ${path}`, { cause: err });
  }
}
