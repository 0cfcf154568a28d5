/**
 * Synchronous, complete writes to stdout and stderr (retrying when a pipe is full), so output is
 * never lost or reordered. A progress block drawn at the bottom of a terminal is cleared before
 * other output and drawn again after it. When the reader closes the pipe early (`| head`), the
 * run ends quietly, as a SIGPIPE would end it.
 */
import fs from "node:fs";
import { runInterruptCleanups } from "../lib/interrupt.ts";

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd: number, data: Uint8Array | string): void {
  let buf = typeof data === "string" ? Buffer.from(data) : data;
  while (buf.length > 0) {
    try {
      const n = fs.writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EPIPE") readerGone();
      if (code !== "EAGAIN") throw err;
      Atomics.wait(sleeper, 0, 0, 1);
    }
  }
}

/** Nobody reads the output any more: undo what is half-done on disk and exit with SIGPIPE's status, saying nothing. */
function readerGone(): never {
  // The synchronous cleanups finish here; a lock left in a remote repository is stale at once for this host (dead PID).
  void runInterruptCleanups();
  process.exit(128 + 13);
}

/** The lines a live progress block occupies at the bottom of the terminal. */
export interface Overlay {
  clear(): void;
  redraw(): void;
}

let overlay: Overlay | undefined;

/** Installs (or with undefined removes) the progress block other output must step around. */
export function setOverlay(o: Overlay | undefined): void {
  overlay = o;
}

function around(fd: number, data: Uint8Array | string): void {
  if (!overlay) return writeAll(fd, data);
  overlay.clear();
  writeAll(fd, data);
  overlay.redraw();
}

export const stdout = {
  write: (data: Uint8Array | string): void => around(1, data),
  line: (s: string): void => around(1, s + "\n"),
  /** Writes without stepping around the progress block (the block draws itself with this). */
  raw: (data: string): void => writeAll(1, data),
};

export const stderr = {
  write: (data: Uint8Array | string): void => around(2, data),
  line: (s: string): void => around(2, s + "\n"),
};

export function isTerminal(fd: 1 | 2): boolean {
  return (fd === 1 ? process.stdout : process.stderr).isTTY === true;
}

export function terminalWidth(): number {
  return process.stdout.columns || 80;
}
