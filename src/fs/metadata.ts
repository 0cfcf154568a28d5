/** `stat` → node metadata as backpak records it (POSIX: mode, size for files, uid, gid, atime, mtime in ns). */
import fs from "node:fs";
import { metadataKind, type NodeKind, type PosixMetadata } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";

export interface Stat {
  readonly metadata: PosixMetadata;
  readonly kind: NodeKind;
}

function toMetadata(st: fs.BigIntStats): PosixMetadata {
  const mode = Number(st.mode);
  const base = { type: "posix" as const, mode, uid: Number(st.uid), gid: Number(st.gid), atime: st.atimeNs, mtime: st.mtimeNs };
  return (mode & 0o170000) === 0o100000 ? { ...base, size: Number(st.size) } : base;
}

/** Stats `path` (following a final symlink only with `dereference`); errors name the path. */
export function statPath(path: string, dereference: boolean): Stat {
  let st: fs.BigIntStats;
  try {
    st = dereference ? fs.statSync(path, { bigint: true }) : fs.lstatSync(path, { bigint: true });
  } catch (err) {
    throw new BackpakError("io", `Couldn't stat ${path}`, { cause: err });
  }
  const metadata = toMetadata(st);
  return { metadata, kind: metadataKind(metadata) };
}
