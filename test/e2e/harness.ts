/** Runs the compiled dist/backpak as a user would, in a sandboxed environment, plus helpers the e2e tests share. */
import fs from "node:fs";
import path from "node:path";
import { afterAll } from "bun:test";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile as cleanUpTempDirs, tempDir } from "../helpers/tmp.ts";
import { contentsOf, entriesIn } from "../helpers/tree-contents.ts";
export { contentsOf, entriesIn, tempDir };

export const REPO_ROOT = path.resolve(import.meta.dir, "..", "..");
export const BIN = path.join(REPO_ROOT, "dist", "backpak");

function requireBinary(): void {
  if (!fs.existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build it first with \`cd ${REPO_ROOT} && node_modules/.bin/bun scripts/build.ts\``);
  }
}
requireBinary();

/** True when tests run as root, which ignores permission bits on reads. */
const isRoot = process.getuid?.() === 0;

export interface RunResult {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout exactly as written (for `dump`). */
  readonly stdoutBytes: Uint8Array;
}

/** Environment variables to set; `undefined` removes one from the sandbox environment. */
export type EnvOverrides = Readonly<Record<string, string | undefined>>;

export interface RunOptions {
  readonly env?: EnvOverrides;
  /** The process's starting directory (default: the sandbox home). */
  readonly cwd?: string;
  /** Run as this unprivileged uid (and gid) when the tests run as root, through setpriv. */
  readonly asUser?: number;
  /** A command that runs the binary, such as `strace -o FILE` (the binary and its arguments follow it). */
  readonly wrapper?: readonly string[];
}

let sandboxHome: string | undefined;

/** Frees this file's temporary directories (and its sandbox home) when it finishes; call at the top of every e2e file. */
export function cleanUpAfterThisFile(): void {
  cleanUpTempDirs();
  afterAll(() => {
    sandboxHome = undefined;
  });
}

/** A home directory private to this test file, so no test touches the real one. */
export function home(): string {
  sandboxHome ??= tempDir("home");
  return sandboxHome;
}

/** The environment every run gets: a private HOME and XDG dirs, UTC, no BACKPAK_REPOSITORY. */
export function sandboxEnv(overrides: EnvOverrides = {}): Record<string, string> {
  const h = home();
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: h,
    XDG_DATA_HOME: path.join(h, "xdg-data"),
    XDG_CONFIG_HOME: path.join(h, "xdg-config"),
    XDG_CACHE_HOME: path.join(h, "xdg-cache"),
    TMPDIR: process.env.TMPDIR,
    TZ: "UTC",
    ...overrides,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

const decoder = new TextDecoder();

/** How to spawn `backpak <args>` as `opts` asks. */
function spawnOptions(args: readonly string[], opts: RunOptions): { cmd: string[]; env: Record<string, string>; cwd: string } {
  requireBinary();
  const drop = opts.asUser !== undefined && isRoot ? ["setpriv", `--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, "--clear-groups"] : [];
  return { cmd: [...drop, ...(opts.wrapper ?? []), BIN, ...args], env: sandboxEnv(opts.env), cwd: opts.cwd ?? home() };
}

function result(args: readonly string[], code: number | null, stdout: Uint8Array, stderr: Uint8Array): RunResult {
  return { args, code: code ?? -1, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr), stdoutBytes: stdout };
}

/** Runs `backpak <args>` and returns what it did; never throws on a non-zero exit. */
export function run(args: readonly string[], opts: RunOptions = {}): RunResult {
  const proc = Bun.spawnSync({ ...spawnOptions(args, opts), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return result(args, proc.exitCode, new Uint8Array(proc.stdout), new Uint8Array(proc.stderr));
}

/** Like run, without blocking this process meanwhile (so a server it runs, such as a fake B2, can answer). */
export async function runAsync(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const proc = Bun.spawn({ ...spawnOptions(args, opts), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).bytes(), new Response(proc.stderr).bytes(), proc.exited]);
  return result(args, code, stdout, stderr);
}

/**
 * Runs `backpak <args>` with its standard input piped from `sh -c source` (a child of this
 * process, as in `source | backpak …`).
 */
export async function runPiped(source: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const from = Bun.spawn({ cmd: ["sh", "-c", source], stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  const proc = Bun.spawn({ ...spawnOptions(args, opts), stdin: from.stdout, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).bytes(), new Response(proc.stderr).bytes(), proc.exited, from.exited]);
  return result(args, code, stdout, stderr);
}

/** A word for sh, single-quoted. */
export const shellWord = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `backpak <args>` on a pseudo-terminal (through util-linux `script`), as someone at a
 * terminal sees it: stdout and stderr interleaved, line ends without their carriage returns.
 */
export function runInTerminal(args: readonly string[], opts: RunOptions = {}): { code: number; output: string } {
  const { cmd, env, cwd } = spawnOptions(args, opts);
  const proc = Bun.spawnSync({ cmd: ["script", "-qfec", cmd.map(shellWord).join(" "), "/dev/null"], env, cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { code: proc.exitCode ?? -1, output: decoder.decode(proc.stdout).replace(/\r\n/g, "\n") };
}

/** The ID of a process that has exited (for names that a killed run would have left). */
export function deadPid(): number {
  return Bun.spawnSync(["true"]).pid;
}

/** Starts `backpak <cli args>` and returns the running process (stdout discarded, stderr piped), for tests that stop it. */
export function spawnCli(work: string, repo: string, args: readonly string[], env: EnvOverrides = {}): Bun.Subprocess<"ignore", "ignore", "pipe"> {
  return Bun.spawn({ ...spawnOptions(cliArgs(work, repo, args), { env }), stdin: "ignore", stdout: "ignore", stderr: "pipe" });
}

/** Resolves once `ready()` holds, checking now and whenever an entry of `dir` changes; rejects with what `ended` says if it settles first. */
export function whenReadyUntil(dir: string, ready: () => boolean, ended: Promise<string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = fs.watch(dir);
    let settled = false;
    const settle = (err?: Error): void => {
      if (settled) return;
      settled = true;
      watcher.close();
      if (err) reject(err);
      else resolve();
    };
    const check = (): void => {
      if (ready()) settle();
    };
    watcher.on("change", check);
    void ended.then((why) => settle(new Error(why)));
    check();
  });
}

/** Like backpak's own tests' `cli_run`: `-C <work> --config "" --repository <repo> -vvv <args>`. */
export function cli(work: string, repo: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  return run(cliArgs(work, repo, args), opts);
}

/** Like cli, on a pseudo-terminal (see runInTerminal). */
export function cliInTerminal(work: string, repo: string, args: readonly string[], opts: RunOptions = {}): { code: number; output: string } {
  return runInTerminal(cliArgs(work, repo, args), opts);
}

/** Like cli, with standard input piped from `sh -c source` (see runPiped). */
export function cliPiped(work: string, repo: string, source: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runPiped(source, cliArgs(work, repo, args), opts);
}

/** Like cli, without blocking this process meanwhile. */
export function cliAsync(work: string, repo: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runAsync(cliArgs(work, repo, args), opts);
}

function cliArgs(work: string, repo: string, args: readonly string[]): string[] {
  return ["-C", work, "--config", "", "--repository", repo, "-vvv", ...args];
}

function describeRun(r: RunResult): string {
  return `backpak ${r.args.map((a) => JSON.stringify(a)).join(" ")} exited ${r.code}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`;
}

/** Asserts the run succeeded, showing its output when it did not. */
export function ok(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(`expected success: ${describeRun(r)}`);
  return r;
}

/** Asserts the run failed (non-zero exit), showing its output when it did not. */
export function fails(r: RunResult): RunResult {
  if (r.code === 0) throw new Error(`expected failure: ${describeRun(r)}`);
  return r;
}

/** stdout's lines (backpak's own tests skip 3 INFO lines here; this tool logs them on stderr). */
export function normalize(stdout: string): string[] {
  const t = stdout.trim();
  return t === "" ? [] : t.split("\n");
}

/** Drops atime-only changes ("A " lines): they change whenever something reads a file. */
export function withoutAtime(lines: readonly string[]): string[] {
  return lines.filter((l) => !l.startsWith("A "));
}

/** Non-empty stdout lines. */
export function lines(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l !== "");
}

/**
 * A fresh working directory holding `src`, `count` files of `size` seeded random bytes (which
 * don't compress), and `repo`, a filesystem repository with 1 MiB packs, so that they fill several.
 */
export function randomSourceAndRepo(label: string, count: number, size: number): { work: string; repo: string; src: string } {
  const work = tempDir(`${label}-work`);
  const repo = path.join(work, "repo");
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < count; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(1000 * count + i, size));
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
  return { work, repo, src };
}

/** A fresh working directory and an initialized filesystem repository. */
export function setup(label: string): { work: string; repo: string } {
  const work = tempDir(`${label}-work`);
  const repo = tempDir(`${label}-repo`);
  ok(cli(work, repo, ["init", "filesystem"]));
  return { work, repo };
}

/** Every non-directory entry under `dir`, relative and sorted. */
export function filesIn(dir: string): string[] {
  return entriesIn(dir).filter((e) => !e.endsWith("/"));
}

/** The layout of a repository that holds nothing yet. */
export const EMPTY_REPO = ["config.toml", "indexes/", "locks/", "packs/", "snapshots/"];

/** Lets other users read a repository's objects (written 0600, as backpak does), for runs as another user. */
export function letOthersRead(repo: string): void {
  for (const rel of filesIn(repo)) if (rel !== "config.toml") fs.chmodSync(path.join(repo, rel), 0o644);
}

/** IDs of the files in one of a repository's object folders (`packs`, `indexes`, `snapshots`). */
export function objectIds(repo: string, folder: "packs" | "indexes" | "snapshots"): string[] {
  return fs
    .readdirSync(path.join(repo, folder))
    .map((f) => f.replace(/\.[a-z]+$/, ""))
    .sort();
}

/** Snapshot IDs as `snapshots` lists them (oldest first). */
export function listedSnapshots(work: string, repo: string, refs: readonly string[] = []): string[] {
  return lines(ok(cli(work, repo, ["snapshots", ...refs])).stdout)
    .filter((l) => l.startsWith("snapshot "))
    .map((l) => l.split(" ")[1]!);
}

/** Parses a `cat` command's JSON output. */
export function catJson(work: string, repo: string, args: readonly string[]): unknown {
  return JSON.parse(ok(cli(work, repo, ["cat", ...args])).stdout);
}

/** Escapes a literal string for a (Rust or JS) regular expression. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** How many objects a run (at -v or more) stored, from its "Repository requests" line. */
export const puts = (r: RunResult): number => Number(/INFO Repository requests: \d+ list, \d+ get, (\d+) put/.exec(r.stderr)?.[1]);

/**
 * The part of stderr that reports failure: ERROR log lines and the final "Error: …" report with
 * its causes. At -vvv stderr also carries debug lines that mention objects, so assertions that an
 * error names something look only here.
 */
export function errorReport(r: RunResult): string {
  const all = r.stderr.split("\n");
  const start = all.findIndex((l) => l.startsWith("Error: "));
  const logged = all.filter((l) => /^\s*ERROR\b/.test(l));
  return [...logged, ...(start < 0 ? [] : all.slice(start))].join("\n");
}

