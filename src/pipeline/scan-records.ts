/**
 * The pre-flight scan's records, as a worker writes them into a ring of the shared data buffer
 * and the main thread reads them: a compact log of every entry (kind, stat fields, name) in walk
 * order. Layout, little-endian: kind u8, then for entries top u8, mode u32, uid u32, gid u32,
 * size f64, atime i64, mtime i64, ctime i64, name length u16, name (the full path for top-level entries),
 * and for symlinks target length u16 and target; for errors, skipped special files and unreadable
 * entries a u32 length and a UTF-8 message or path (unreadable: path, tab, why).
 */

export const Rec = { Enter: 1, Exit: 2, File: 3, Symlink: 4, Special: 5, Error: 6, Wrap: 7, End: 8, Unreadable: 9 } as const;
export const ENTRY_HEADER = 48;

/** Slot header fields the scan uses for its ring: write and read positions. */
export const SCAN_HEAD = 10;
export const SCAN_TAIL = 11;
