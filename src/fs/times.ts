/**
 * Setting access and modification times with nanosecond precision (utimensat through bun:ffi;
 * Node's utimes takes doubles, which cannot hold nanoseconds since 1970), without following symlinks.
 */
import { dlopen, FFIType, ptr } from "bun:ffi";
import fs from "node:fs";
import { BackpakError } from "../lib/errors.ts";
import { reach } from "./long-path.ts";

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = process.platform === "darwin" ? 0x20 : 0x100;

type Utimensat = (dirfd: number, path: unknown, times: unknown, flags: number) => number;

let utimensat: Utimensat | null | undefined;
function load(): Utimensat | null {
  if (utimensat !== undefined) return utimensat;
  const libs = process.platform === "darwin" ? ["libSystem.B.dylib"] : ["libc.so.6", "libc.so"];
  utimensat = null;
  for (const lib of libs) {
    try {
      const l = dlopen(lib, { utimensat: { args: [FFIType.i32, FFIType.ptr, FFIType.ptr, FFIType.i32], returns: FFIType.i32 } });
      utimensat = l.symbols.utimensat as unknown as Utimensat;
      break;
    } catch {
      // try the next name
    }
  }
  return utimensat;
}

const NS = 1_000_000_000n;

/** Sets atime and mtime (ns since the epoch) of `path` itself (of any length), even when it is a symlink. */
export function setTimes(path: string, atime: bigint, mtime: bigint): void {
  const at = reach(path);
  const fn = load();
  if (fn) {
    const spec = new BigInt64Array([atime / NS, atime % NS, mtime / NS, mtime % NS]);
    for (let i = 1; i < 4; i += 2) {
      if (spec[i]! < 0n) {
        spec[i] = spec[i]! + NS;
        spec[i - 1] = spec[i - 1]! - 1n;
      }
    }
    const p = Buffer.from(at + "\0");
    if (fn(AT_FDCWD, ptr(p), ptr(spec), AT_SYMLINK_NOFOLLOW) === 0) return;
  }
  // Fallback (no libc found, or the call failed): microsecond precision, and a clear error if it fails too.
  try {
    fs.lutimesSync(at, Number(atime) / 1e9, Number(mtime) / 1e9);
  } catch (err) {
    throw new BackpakError("io", `Couldn't set timestamps for ${path}`, { cause: err });
  }
}
