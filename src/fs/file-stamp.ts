/** What backup compares to tell whether a file changed while it was read: its size, mtime and ctime, and whether it is still a named regular file. */
import type { RawStat } from "./statx.ts";

export interface FileStamp {
  readonly size: number;
  readonly mtime: bigint;
  readonly ctime: bigint;
}

/** True when `now` (a stat taken after reading) shows the file exactly as `before`: not written, truncated, replaced, deleted or retyped. */
export function unchangedSince(before: FileStamp, now: RawStat): boolean {
  return now.nlink > 0 && (now.mode & 0o170000) === 0o100000 && now.size === before.size && now.mtime === before.mtime && now.ctime === before.ctime;
}
