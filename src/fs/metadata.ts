/** `stat` → node metadata as backpak records it (POSIX: mode, size for files, uid, gid, atime, mtime in ns). */
import fs from "node:fs";
import { metadataKind, type NodeKind, type PosixMetadata } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { statx, type RawStat } from "./statx.ts";

export interface Stat {
  readonly metadata: PosixMetadata;
  readonly kind: NodeKind;
}

function toMetadata(st: RawStat): PosixMetadata {
  const { mode, uid, gid, atime, mtime } = st;
  return (mode & 0o170000) === 0o100000 ? { type: "posix", mode, size: st.size, uid, gid, atime, mtime } : { type: "posix", mode, uid, gid, atime, mtime };
}

function nodeStat(path: string, dereference: boolean): RawStat {
  let st: fs.BigIntStats;
  try {
    st = dereference ? fs.statSync(path, { bigint: true }) : fs.lstatSync(path, { bigint: true });
  } catch (err) {
    throw new BackpakError("io", `Couldn't stat ${path}`, { cause: err });
  }
  return { mode: Number(st.mode), uid: Number(st.uid), gid: Number(st.gid), size: Number(st.size), atime: st.atimeNs, mtime: st.mtimeNs };
}

/** Stats `path` (following a final symlink only with `dereference`); errors name the path. */
export function statPath(path: string, dereference: boolean): Stat {
  const metadata = toMetadata(statx(path, dereference) ?? nodeStat(path, dereference));
  return { metadata, kind: metadataKind(metadata) };
}
