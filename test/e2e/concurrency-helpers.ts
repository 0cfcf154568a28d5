/** What the concurrency tests share: starting runs held mid-way (killed after the test if a failure left them running), waiting on them, and restoring every snapshot to compare it. */
import { afterEach, expect } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cli, contentsOf, ok, spawnCli, tempDir, type EnvOverrides, type RunResult } from "./harness.ts";

/** Runs started in the background, which a failed test could leave holding forever. */
const started = new Set<Bun.Subprocess>();

/** Kills, after each test, what it started and left running (only a failed test does). Call at the top of the test file. */
export function stopRunsAfterEach(): void {
  afterEach(() => {
    for (const p of started) if (p.exitCode === null) p.kill("SIGKILL");
    started.clear();
  });
}

/** Starts `backpak <args>` in the background, to be killed after the test if it is still running then. */
export function startRun(work: string, repo: string, args: readonly string[], env: EnvOverrides = {}): Proc {
  const proc = spawnCli(work, repo, args, env);
  started.add(proc);
  return proc;
}

/** Starts `backpak <args>` held on the first `job` (compress, decompress, …) until `release` is created, its lock taken. */
export function heldRun(work: string, repo: string, args: readonly string[], job: string, release: string, env: EnvOverrides = {}): Proc {
  return startRun(work, repo, args, { ...env, ...ONE_WORKER, BACKPAK_FAULT: `${job}:1:hold`, BACKPAK_FAULT_RELEASE: release });
}

export type Proc = Bun.Subprocess<"ignore", "ignore", "pipe">;

/** Keeps each run's worker pool to one thread: the tests run several commands at once. */
export const ONE_WORKER = { BACKPAK_WORKERS: "1" };

export const locksIn = (repo: string): string[] => fs.readdirSync(path.join(repo, "locks")).sort();
export const shortIdOf = (r: RunResult): string => /Snaphsot ([0-9a-v]+) done/.exec(r.stdout)![1]!;

/** Polls (as the other e2e tests that stop a run mid-way do) until `ready()` holds while `proc` runs. */
export async function whileRunning(proc: Proc, ready: () => boolean): Promise<void> {
  for (let waited = 0; !ready(); waited += 5) {
    if (proc.exitCode !== null) throw new Error(`the run ended (${proc.exitCode}) before the test could go on`);
    if (waited > 60_000) throw new Error("the run never got where the test could go on");
    await Bun.sleep(5);
  }
}

/** Reads `proc`'s stderr until it contains `text`; then the rest of it, with its exit code, comes from `finished`. */
export async function stderrUntil(proc: Proc, text: string): Promise<{ finished: Promise<{ code: number; stderr: string }> }> {
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  while (!seen.includes(text)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the run ended without saying ${JSON.stringify(text)}:\n${seen}`);
    seen += decoder.decode(value, { stream: true });
  }
  const finished = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { code: await proc.exited, stderr: seen };
      seen += decoder.decode(value, { stream: true });
    }
  })();
  return { finished };
}

/** Starts a backup of `src` that holds (mid-way, its lock taken) until `release` is created. */
export function heldBackup(work: string, repo: string, src: string, release: string, env: EnvOverrides = {}): Proc {
  return heldRun(work, repo, ["backup", src], "compress", release, env);
}

/** Restores every snapshot in `expected` (short ID → the tree's contents when backed up) and compares byte for byte. */
export function expectEveryRestore(repo: string, expected: ReadonlyMap<string, Record<string, string>>, env: EnvOverrides = {}): void {
  const work = tempDir("restore-work");
  for (const [id, contents] of expected) {
    const out = tempDir(`restore-${id}`);
    ok(cli(work, repo, ["restore", "--output", out, id], { env }));
    expect(contentsOf(out)).toEqual(contents);
  }
}

