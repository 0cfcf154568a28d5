/**
 * Tar headers (POSIX.1-2001 pax over ustar), for `dump --archive tar`: one 512-byte ustar header an
 * entry, preceded by a pax extended header when a field doesn't fit ustar (a path or link target
 * longer than ustar holds, a size, uid or gid too big for its octal field, an mtime with a
 * fraction of a second). Contents follow a file's header, padded to 512 bytes; two zero blocks end
 * the archive.
 */

export const TAR_BLOCK = 512;

export interface TarEntry {
  /** Relative path; a directory's is written with a trailing slash. */
  readonly path: string;
  readonly type: "file" | "dir" | "symlink";
  /** Permission bits (and setuid/setgid/sticky). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Nanoseconds since the epoch. */
  readonly mtime: bigint;
  /** Bytes of contents that follow (files only). */
  readonly size: number;
  readonly target?: string;
}

const encoder = new TextEncoder();
const NS = 1_000_000_000n;
const TYPE_FLAG = { file: "0", dir: "5", symlink: "2" } as const;

/** The end of an archive: two blocks of zeros. */
export const TAR_END = new Uint8Array(2 * TAR_BLOCK);

/** Zeros that pad `size` bytes of contents to a whole block. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK);
}

/** The header block(s) for `entry`: a pax extended header first when ustar can't hold it. */
export function tarHeader(entry: TarEntry): Uint8Array {
  const name = entry.type === "dir" && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
  const seconds = entry.mtime / NS - (entry.mtime % NS < 0n ? 1n : 0n);
  const fraction = entry.mtime - seconds * NS;
  const pax: [string, string][] = [];
  const nameBytes = encoder.encode(name);
  if (nameBytes.length > 100) pax.push(["path", name]);
  if (entry.target !== undefined && encoder.encode(entry.target).length > 100) pax.push(["linkpath", entry.target]);
  if (!fitsOctal(entry.size, 12)) pax.push(["size", String(entry.size)]);
  if (!fitsOctal(entry.uid, 8)) pax.push(["uid", String(entry.uid)]);
  if (!fitsOctal(entry.gid, 8)) pax.push(["gid", String(entry.gid)]);
  if (fraction !== 0n || seconds < 0n || !fitsOctal(Number(seconds), 12)) pax.push(["mtime", paxTime(entry.mtime)]);
  const main = ustar(name, TYPE_FLAG[entry.type], entry, seconds);
  if (pax.length === 0) return main;
  const records = encoder.encode(pax.map(([k, v]) => paxRecord(k, v)).join(""));
  const paxName = `PaxHeaders/${lastComponent(name)}`;
  const head = ustar(paxName, "x", { mode: 0o644, uid: 0, gid: 0, size: records.length }, 0n);
  const out = new Uint8Array(head.length + records.length + tarPadding(records.length).length + main.length);
  out.set(head, 0);
  out.set(records, head.length);
  out.set(main, out.length - main.length);
  return out;
}

/** Nanoseconds since the epoch as pax's decimal seconds, e.g. "-1.500000000". */
function paxTime(ns: bigint): string {
  const abs = ns < 0n ? -ns : ns;
  return `${ns < 0n ? "-" : ""}${abs / NS}.${(abs % NS).toString().padStart(9, "0")}`;
}

/** One pax record, "LEN key=value\n", where LEN counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = encoder.encode(body).length;
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return `${len}${body}`;
}

function lastComponent(name: string): string {
  const trimmed = name.endsWith("/") ? name.slice(0, -1) : name;
  return trimmed.slice(trimmed.lastIndexOf("/") + 1).slice(0, 80);
}

/** True if `n` fits a NUL-terminated octal field of `width` bytes. */
function fitsOctal(n: number, width: number): boolean {
  return n >= 0 && n < 8 ** (width - 1);
}

/** A ustar header; fields that don't fit (a pax record carries them) are written truncated or as 0. */
function ustar(name: string, type: string, e: Pick<TarEntry, "mode" | "uid" | "gid" | "size" | "target">, seconds: bigint): Uint8Array {
  const h = new Uint8Array(TAR_BLOCK);
  const text = (at: number, width: number, s: string): void => void h.set(truncated(s, width), at);
  const octal = (at: number, width: number, n: number): void => text(at, width - 1, (fitsOctal(n, width) ? n : 0).toString(8).padStart(width - 1, "0"));
  text(0, 100, name);
  octal(100, 8, e.mode & 0o7777);
  octal(108, 8, e.uid);
  octal(116, 8, e.gid);
  octal(124, 12, e.size);
  octal(136, 12, seconds >= 0n && seconds < 8n ** 11n ? Number(seconds) : 0);
  text(156, 1, type);
  text(157, 100, e.target ?? "");
  text(257, 6, "ustar");
  text(263, 2, "00");
  h.fill(0x20, 148, 156); // the checksum is summed with its own field as spaces
  let sum = 0;
  for (const b of h) sum += b;
  text(148, 6, sum.toString(8).padStart(6, "0"));
  h[154] = 0;
  return h;
}

/** At most `width` bytes of `s`'s UTF-8, cut at a character boundary. */
function truncated(s: string, width: number): Uint8Array {
  const bytes = encoder.encode(s);
  if (bytes.length <= width) return bytes;
  let end = width;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
