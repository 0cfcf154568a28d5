/** Where the binary keeps a repository's scratch state, for e2e tests that look at it or wait on it. */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { processStartTime } from "../../src/lib/process-identity.ts";
import { home, tempDir, whenReadyUntil } from "./harness.ts";

/** The default base of scratch directories in the sandbox ($XDG_CACHE_HOME/backpak/scratch). */
export const defaultScratchBase = (): string => path.join(home(), "xdg-cache", "backpak", "scratch");

/** The scratch directory of the repository at `repo` under `base`: named by a hash of its canonical path. */
export function scratchRootOf(repo: string, base = defaultScratchBase()): string {
  return path.join(base, createHash("sha256").update(fs.realpathSync(repo)).digest("hex").slice(0, 16));
}

/** The directory of the run with process ID `pid` in scratch directory `root`. */
export const runDirOf = (root: string, pid: number): string => path.join(root, `${os.hostname()}-${pid}`);

/** The run directories in scratch directory `root` (none if it doesn't exist). */
export function runDirsIn(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** Finished packs waiting for upload in a run directory (unfinished ones are temporary files). */
export const waitingPacks = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^[0-9a-z]+\.pack$/.test(f)) : []);

/**
 * Resolves with the run directory of `proc` (a run on the repository whose scratch directory is
 * `root`) once `ready(dir)` holds, waiting on directory events; rejects if `proc` ends first.
 * Reads `proc`'s stderr (so it never blocks on a full pipe) into the returned `said`.
 */
export async function whenRun(root: string, proc: Bun.Subprocess<"ignore", "ignore", "pipe">, ready: (dir: string) => boolean): Promise<{ dir: string; said: Promise<string> }> {
  const said = new Response(proc.stderr).text();
  const ended = proc.exited.then(async (code) => `the run ended (${code}) before it got there:\n${await said}`);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const dir = runDirOf(root, proc.pid);
  await whenReadyUntil(root, () => fs.existsSync(dir), ended);
  await whenReadyUntil(dir, () => ready(dir), ended);
  return { dir, said };
}

/** The run directories in scratch directory `root` that hold a resume index for the next run. */
export const withResumeIndex = (root: string): string[] => runDirsIn(root).filter((d) => fs.existsSync(path.join(root, d, "backpak-wip.journal")));

/** Makes in `root` the run directory of a process that is running (this test's), as that process would, with `files` in it; returns its path. */
export function plantLiveRun(root: string, files: readonly string[]): string {
  const dir = runDirOf(root, process.pid);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, "process"), `${processStartTime(process.pid)}\n`);
  for (const f of files) fs.writeFileSync(path.join(dir, f), "in progress");
  return dir;
}

/** Makes in `root` the run directory a killed process `pid` that started at `started` left, with `files` in it; returns its path. */
export function plantDeadRun(root: string, pid: number, files: readonly string[], started = "12345"): string {
  const dir = runDirOf(root, pid);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, "process"), `${started}\n`);
  for (const f of files) fs.writeFileSync(path.join(dir, f), "left behind");
  return dir;
}

/** A fresh scratch base that every user can write in, for runs as another user (asUser). */
export function sharedScratch(label: string): string {
  const dir = tempDir(label);
  fs.chmodSync(dir, 0o777);
  return dir;
}
