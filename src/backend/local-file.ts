/** Local-file helpers for decorators that keep copies on disk: positioned reads over an open descriptor, whole reads, chunked copies. */
import fs from "node:fs";
import type { RangeReader } from "./backend.ts";

/** How much a copy moves at a time. */
export const COPY_CHUNK = 1 << 20;

/** Positioned reads of the file open as `fd`; `close` closes the descriptor. */
export function fdRange(fd: number): RangeReader {
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

/** Writes `source` (bytes, or every byte of a range reader) to `fd` from offset 0; returns the length written. */
export function writeAllTo(fd: number, source: Uint8Array | RangeReader): number {
  if (source instanceof Uint8Array) {
    let done = 0;
    while (done < source.length) done += fs.writeSync(fd, source, done, source.length - done, done);
    return done;
  }
  const buf = new Uint8Array(Math.min(COPY_CHUNK, Math.max(source.size, 1)));
  let pos = 0;
  for (;;) {
    const n = source.readInto(buf, pos);
    if (n === 0) break;
    let done = 0;
    while (done < n) done += fs.writeSync(fd, buf, done, n - done, pos + done);
    pos += n;
  }
  return pos;
}
