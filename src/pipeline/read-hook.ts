/**
 * A test hook in backup's reading of files: $BACKPAK_READ_HOOK = JSON
 * {"file": path, "block": n, "attempts": k, "run": [argv]} makes whoever reads `file` (a worker on
 * the first attempt, the main thread on rereads) run `run` and wait for it after reading `n`
 * blocks of the file (0: just after opening it), on each of its first `k` attempts. Blocks are the
 * reads of READ_BLOCK bytes. A test can so change a file at exactly one point of its read.
 */
import { BackpakError } from "../lib/errors.ts";

export interface ReadHook {
  readonly file: string;
  readonly block: number;
  readonly attempts: number;
  readonly run: readonly string[];
}

/** Files are read in blocks of this many bytes (the input ring's segments, and rereads). */
export const READ_BLOCK = 4 << 20;

const USAGE = 'BACKPAK_READ_HOOK should be JSON like {"file": "/abs/path", "block": 0, "attempts": 1, "run": ["sh", "-c", "…"]}';

export function readHookFromEnv(env: NodeJS.ProcessEnv = process.env): ReadHook | undefined {
  const spec = env.BACKPAK_READ_HOOK;
  if (!spec) return undefined;
  let hook: Partial<ReadHook>;
  try {
    hook = JSON.parse(spec) as Partial<ReadHook>;
  } catch {
    throw new BackpakError("usage", USAGE);
  }
  const { file, block, attempts, run } = hook;
  if (typeof file !== "string" || !Number.isInteger(block) || !Number.isInteger(attempts) || !Array.isArray(run) || run.length === 0) throw new BackpakError("usage", USAGE);
  return { file, block: block!, attempts: attempts!, run };
}

/** Runs the hook if it is for this point of this read of `file` (attempts count from 1). */
export function runReadHook(hook: ReadHook | undefined, file: string, attempt: number, block: number): void {
  if (!hook || hook.file !== file || hook.block !== block || attempt > hook.attempts) return;
  const done = Bun.spawnSync({ cmd: [...hook.run], stdin: "ignore", stdout: "inherit", stderr: "inherit" });
  if (done.exitCode !== 0) throw new Error(`the read hook ${JSON.stringify(hook.run)} failed (exit ${done.exitCode})`);
}
