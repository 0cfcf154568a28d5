/** Synchronous, complete writes to stdout and stderr (retrying when a pipe is full), so output is never lost or reordered. */
import fs from "node:fs";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd: number, data: Uint8Array | string): void {
  let buf = typeof data === "string" ? Buffer.from(data) : data;
  while (buf.length > 0) {
    try {
      const n = fs.writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
}

export const stdout = {
  write: (data: Uint8Array | string): void => writeAll(1, data),
  line: (s: string): void => writeAll(1, s + "\n"),
};

export const stderr = {
  write: (data: Uint8Array | string): void => writeAll(2, data),
  line: (s: string): void => writeAll(2, s + "\n"),
};

export function isTerminal(fd: 1 | 2): boolean {
  return (fd === 1 ? process.stdout : process.stderr).isTTY === true;
}
