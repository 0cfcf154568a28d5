/** Runs one `sh -c <command>` for the filter layer: stdin from a file, bytes or a stored object, stdout to a file or memory, always reaped. */
import type { FileSink } from "bun";
import { BackpakError } from "../lib/errors.ts";
import { COPY_CHUNK } from "./local-file.ts";
import type { RangeReader } from "./backend.ts";

/** Where the command's standard input comes from: an open file, bytes in memory, or an object read a window at a time. */
export type ShellInput = { readonly fd: number } | { readonly bytes: Uint8Array } | { readonly reader: RangeReader };

/** Where its standard output goes: an open file, or collected into memory. */
export type ShellOutput = { readonly fd: number } | "collect";

export interface ShellResult {
  /** The exit code, or null when a signal ended the command. */
  readonly code: number | null;
  readonly signal: string | null;
  /** What the command wrote to stdout when collected (empty otherwise). */
  readonly stdout: Uint8Array;
  /** What it wrote to stderr. */
  readonly stderr: string;
  /** Why feeding its stdin failed, if it did (the command then saw a truncated input). */
  readonly feedError: unknown;
}

/** "failed with code N" or "was killed", as backpak words a failed filter. */
export function describeExit(r: ShellResult): string {
  return r.code === null ? "was killed" : `failed with code ${r.code}`;
}

/** The error for a command that failed: `message`, with its stderr (if any) as the cause. */
export function shellFailure(message: string, r: ShellResult): BackpakError {
  const err = r.stderr.trim();
  return new BackpakError("io", message, err === "" ? {} : { cause: new Error(err) });
}

/**
 * Runs `sh -c command`, feeding `input` and sending stdout to `output`, and resolves once the
 * command has exited (it is never left running or unreaped, also when something here fails).
 */
export async function runShell(command: string, input: ShellInput, output: ShellOutput): Promise<ShellResult> {
  let proc;
  try {
    proc = Bun.spawn(["sh", "-c", command], {
      stdin: "reader" in input ? "pipe" : "fd" in input ? input.fd : input.bytes,
      stdout: output === "collect" ? "pipe" : output.fd,
      stderr: "pipe",
    });
  } catch (err) {
    throw new BackpakError("io", `Couldn't run ${command}`, { cause: err });
  }
  try {
    const sink = proc.stdin;
    const fed = "reader" in input && typeof sink === "object" ? feed(sink, input.reader) : Promise.resolve(undefined);
    const out = proc.stdout instanceof ReadableStream ? new Response(proc.stdout).bytes() : Promise.resolve(new Uint8Array(0));
    const [code, stdout, stderr, feedError] = await Promise.all([proc.exited, out, new Response(proc.stderr).text(), fed]);
    const signal = proc.signalCode === null ? null : String(proc.signalCode);
    return { code: signal === null ? code : null, signal, stdout, stderr, feedError };
  } catch (err) {
    proc.kill();
    await proc.exited;
    throw new BackpakError("io", `Couldn't run ${command}`, { cause: err });
  }
}

/** Copies every byte of `reader` into the command's stdin, then closes it; resolves to the error that stopped it, if any. */
async function feed(sink: FileSink, reader: RangeReader): Promise<unknown> {
  let failure: unknown;
  try {
    for (let pos = 0; pos < reader.size; ) {
      // A fresh buffer each time: the sink may hold on to a chunk until it is written.
      const chunk = new Uint8Array(Math.min(COPY_CHUNK, reader.size - pos));
      const n = reader.readInto(chunk, pos);
      if (n === 0) break;
      await sink.write(chunk.subarray(0, n));
      await sink.flush();
      pos += n;
    }
  } catch (err) {
    failure = err;
  }
  try {
    await sink.end();
  } catch (err) {
    failure ??= err;
  }
  return failure;
}
