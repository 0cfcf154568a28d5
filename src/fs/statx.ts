/**
 * lstat/stat through statx(2) via bun:ffi, on Linux: one call into a reused buffer, reading only
 * the fields backpak keeps (Node's bigint stat makes about eighteen BigInts per call, which
 * dominates the garbage of walking large trees). Returns undefined where statx isn't available
 * or the call fails, so callers fall back to node:fs (which also gives the proper error). `fstatx`
 * stats an open file the same way (backup compares it after reading, to catch a file that changed).
 */
import { dlopen, FFIType, ptr } from "bun:ffi";

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_EMPTY_PATH = 0x1000;
const STATX_BASIC_STATS = 0x7ff;
const NS = 1_000_000_000n;

export interface RawStat {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly atime: bigint;
  readonly mtime: bigint;
  /** Status-change time (ns): moves on every write, chmod, rename or unlink of the inode. */
  readonly ctime: bigint;
  /** Hard links left: 0 once the file was deleted or replaced. */
  readonly nlink: number;
  /** The device it is on, encoded as st_dev is (so it equals what stat(2) gives). */
  readonly dev: number;
}

type StatxFn = (dirfd: number, path: unknown, flags: number, mask: number, buf: unknown) => number;

let fn: StatxFn | null | undefined;
/** struct statx is 256 bytes with the same layout on every Linux architecture. */
const out = new Uint8Array(256);
const view = new DataView(out.buffer);
let pathBuf = new Uint8Array(4096);
const encoder = new TextEncoder();

function load(): StatxFn | null {
  if (fn !== undefined) return fn;
  fn = null;
  if (process.platform !== "linux") return fn;
  for (const lib of ["libc.so.6", "libc.so"]) {
    try {
      fn = dlopen(lib, { statx: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.u32, FFIType.ptr], returns: FFIType.i32 } }).symbols
        .statx as unknown as StatxFn;
      break;
    } catch {
      // try the next name
    }
  }
  return fn;
}

/** Stats `path` (following a final symlink only with `follow`); undefined if statx is unavailable or fails. */
export function statx(path: string, follow: boolean): RawStat | undefined {
  const f = load();
  if (!f) return undefined;
  if (path.length * 3 + 1 > pathBuf.length) pathBuf = new Uint8Array(path.length * 3 + 1);
  const { written } = encoder.encodeInto(path, pathBuf);
  pathBuf[written] = 0;
  return f(AT_FDCWD, ptr(pathBuf), follow ? 0 : AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, ptr(out)) === 0 ? decoded() : undefined;
}

/** Stats the open file `fd`; undefined if statx is unavailable or fails. */
export function fstatx(fd: number): RawStat | undefined {
  const f = load();
  if (!f) return undefined;
  pathBuf[0] = 0;
  return f(fd, ptr(pathBuf), AT_EMPTY_PATH, STATX_BASIC_STATS, ptr(out)) === 0 ? decoded() : undefined;
}

/** glibc's makedev, in float arithmetic (exact up to 2^53, far beyond real device numbers). */
function devNumber(major: number, minor: number): number {
  return (major & 0xfff) * 0x100 + (minor & 0xff) + ((minor & 0xffffff00) >>> 0) * 0x1000 + ((major & 0xfffff000) >>> 0) * 0x100000000;
}

function decoded(): RawStat {
  const time = (at: number): bigint => view.getBigInt64(at, true) * NS + BigInt(view.getUint32(at + 8, true));
  return {
    mode: view.getUint16(28, true),
    uid: view.getUint32(20, true),
    gid: view.getUint32(24, true),
    size: Number(view.getBigUint64(40, true)),
    atime: time(64),
    mtime: time(112),
    ctime: time(96),
    nlink: view.getUint32(16, true),
    dev: devNumber(view.getUint32(136, true), view.getUint32(140, true)),
  };
}
