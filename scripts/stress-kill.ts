/**
 * Seeded kill campaign: for each of backup, prune, copy, forget, filter-snapshot and rebuild-index,
 * SIGKILLs the compiled binary K times at seeded delays spread over the command's measured
 * duration, each time on a fresh clone of one prepared repository, and after each kill checks
 * that `check --read-packs` passes, every snapshot that existed before restores byte for byte,
 * the rerun completes, and a following prune leaves no unlisted pack, no blob stored twice and
 * nothing in the working directory or the repository's scratch directory. Prints the kills, the failures and their details.
 * With --short-writes the storage keeps only half of one pack of each killed run (a seeded one of
 * its first three) and reports success, so a kill before the run's end-of-run size check leaves a
 * short pack that the rerun must not trust.
 *
 *   npm run stress:kill -- [--kills K] [--seed S] [--s3] [--short-writes] [--only backup,prune,...]
 *
 * Build dist/backpak first (`bun scripts/build.ts`).
 */
import fs from "node:fs";
import path from "node:path";
import { BIN, cli, contentsOf, filesIn, sandboxEnv, type RunResult } from "../test/e2e/harness.ts";
import { prng, randomBytes } from "../test/helpers/random.ts";
import { runDirsIn, scratchRootOf } from "../test/e2e/scratch-dirs.ts";
import { tempDir } from "../test/helpers/tmp.ts";
import { filesystemRepos, s3Repos, type RepoKind } from "./stress-kill-repos.ts";

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const KILLS = Number(flag("kills") ?? 30);
const SEED = Number(flag("seed") ?? 1);
const COMMANDS = ["backup", "prune", "copy", "forget", "filter-snapshot", "rebuild-index"] as const;
type Command = (typeof COMMANDS)[number];
const ONLY = (flag("only")?.split(",") ?? COMMANDS) as Command[];
const SHORT_WRITES = argv.includes("--short-writes");

/** A prepared repository: three snapshots of a changing tree, and what each should restore to. */
interface Template {
  readonly repo: string;
  /** Snapshot ID → a copy of the tree it was taken of. */
  readonly expected: Map<string, string>;
  readonly data: string;
}

/** Thrown by a step that found a problem; the campaign goes on. */
class Failure extends Error {}

function run(kind: RepoKind, work: string, repo: string, args: readonly string[]): RunResult {
  return cli(work, repo, args, { env: kind.env });
}

function must(r: RunResult, step: string): RunResult {
  if (r.code !== 0) throw new Failure(`${step}: backpak ${r.args.slice(7).join(" ")} exited ${r.code}: ${r.stderr.split("\n").filter((l) => /ERROR|Error:/.test(l)).join(" | ")}`);
  return r;
}

function snapshotIds(kind: RepoKind, work: string, repo: string): string[] {
  return must(run(kind, work, repo, ["snapshots"]), "snapshots")
    .stdout.split("\n")
    .filter((l) => l.startsWith("snapshot "))
    .map((l) => l.split(" ")[1]!);
}

/** Writes version `v` of the seeded data tree: some files stay, some change, some come and go. */
function writeData(data: string, v: number): void {
  fs.mkdirSync(path.join(data, "sub"), { recursive: true });
  fs.writeFileSync(path.join(data, "stable.bin"), randomBytes(SEED, 2_500_000));
  fs.writeFileSync(path.join(data, "changing.bin"), randomBytes(SEED * 100 + v, 1_500_000));
  fs.writeFileSync(path.join(data, "sub", `added-${v}.bin`), randomBytes(SEED * 1000 + v, 600_000));
  fs.rmSync(path.join(data, "sub", `added-${v - 2}.bin`), { force: true });
  fs.writeFileSync(path.join(data, "sub", "note.txt"), `version ${v}\n`);
}

function prepare(kind: RepoKind): Template {
  const work = tempDir("stress-prepare");
  const repo = kind.init(work, "512KiB");
  const data = path.join(work, "data");
  const expected = new Map<string, string>();
  for (let v = 1; v <= 3; v++) {
    writeData(data, v);
    must(run(kind, work, repo, ["backup", data]), "prepare backup");
    const keep = tempDir("stress-expected");
    fs.cpSync(data, keep, { recursive: true });
    expected.set(snapshotIds(kind, work, repo).at(-1)!, keep);
  }
  writeData(data, 4);
  return { repo, expected, data };
}

interface Scenario {
  readonly repo: string;
  readonly work: string;
  readonly args: string[];
  readonly dest?: string;
  readonly expected: Map<string, string>;
}

/** The command's arguments on a clone of the template (copy's destination is made here). */
function commandArgs(kind: RepoKind, c: Command, t: Template, work: string): { args: string[]; dest?: string } {
  const ids = [...t.expected.keys()];
  switch (c) {
    case "backup":
      return { args: ["backup", t.data] };
    case "prune":
      return { args: ["prune"] };
    case "copy": {
      const dest = kind.init(work, "512KiB");
      return { args: ["copy", "--to", dest, "--all"], dest };
    }
    case "forget":
      return { args: ["forget", ids[0]!, ids[1]!] };
    case "filter-snapshot":
      return { args: ["filter-snapshot", "--skip", "sub", ids[2]!] };
    case "rebuild-index":
      return { args: ["rebuild-index"] };
  }
}

/** A clone of the template ready for `c` (prune gets a forgotten snapshot, so it has work to do). */
function scenario(kind: RepoKind, c: Command, t: Template): Scenario {
  const work = tempDir("stress-work");
  const repo = kind.clone(t.repo);
  const expected = new Map(t.expected);
  if (c === "prune") {
    const first = [...expected.keys()][0]!;
    must(run(kind, work, repo, ["forget", first]), "prepare forget");
    expected.delete(first);
  }
  return { repo, work, expected, ...commandArgs(kind, c, t, work) };
}

/** Every expected snapshot still there restores byte for byte; those `mayGo` allows may be gone. */
function checkRestores(kind: RepoKind, work: string, repo: string, expected: Map<string, string>, mayGo: ReadonlySet<string>, step: string): void {
  const present = new Set(snapshotIds(kind, work, repo));
  for (const [id, tree] of expected) {
    if (!present.has(id)) {
      if (mayGo.has(id)) continue;
      throw new Failure(`${step}: snapshot ${id} is gone`);
    }
    const out = tempDir("stress-restore");
    must(run(kind, work, repo, ["restore", "--output", out, id]), `${step}: restore ${id}`);
    const got = contentsOf(out);
    fs.rmSync(out, { recursive: true, force: true });
    if (JSON.stringify(got) !== JSON.stringify(contentsOf(tree))) throw new Failure(`${step}: snapshot ${id} restores different bytes`);
  }
}

/** After a prune: check --read-packs passes, with no unlisted pack and no blob stored twice. */
function checkClean(kind: RepoKind, work: string, repo: string, step: string): void {
  must(run(kind, work, repo, ["prune"]), `${step}: prune`);
  const { stderr } = must(run(kind, work, repo, ["check", "--read-packs"]), `${step}: check after prune`);
  if (stderr.includes("not listed in any index")) throw new Failure(`${step}: packs no index lists survive a prune`);
  if (stderr.includes("more than one pack")) throw new Failure(`${step}: blobs stored twice survive a prune`);
}

/** Runs the command to completion and returns how long it took (ms). */
function measure(kind: RepoKind, c: Command, t: Template): number {
  const s = scenario(kind, c, t);
  const start = performance.now();
  must(run(kind, s.work, s.repo, s.args), `measuring ${c}`);
  const took = performance.now() - start;
  for (const r of [s.repo, s.dest]) if (r) kind.drop(r);
  fs.rmSync(s.work, { recursive: true, force: true });
  return took;
}

/** Starts the command (with the faults `faults` of BACKPAK_BACKEND_FAULT, if any), SIGKILLs it after `delay` ms; true if it was still running then. */
async function killAfter(kind: RepoKind, work: string, repo: string, args: readonly string[], delay: number, faults: string | undefined): Promise<boolean> {
  const proc = Bun.spawn({
    cmd: [BIN, "-C", work, "--config", "", "--repository", repo, ...args],
    env: sandboxEnv({ ...kind.env, ...(faults ? { BACKPAK_BACKEND_FAULT: faults } : {}) }),
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  const timer = new Promise<"timer">((resolve) => setTimeout(() => resolve("timer"), delay));
  const first = await Promise.race([proc.exited, timer]);
  if (first !== "timer") return false;
  proc.kill("SIGKILL");
  await proc.exited;
  return true;
}

/** One kill of `c` and every check after it; the clone is deleted afterwards. */
async function oneKill(kind: RepoKind, c: Command, t: Template, delay: number, faults: string | undefined): Promise<boolean> {
  const s = scenario(kind, c, t);
  try {
    return await killAndCheck(kind, c, t, s, delay, faults);
  } finally {
    for (const r of [s.repo, s.dest]) if (r) kind.drop(r);
    fs.rmSync(s.work, { recursive: true, force: true });
  }
}

async function killAndCheck(kind: RepoKind, c: Command, t: Template, s: Scenario, delay: number, faults: string | undefined): Promise<boolean> {
  const killed = await killAfter(kind, s.work, s.repo, s.args, delay, faults);
  const forgotten = new Set(c === "forget" ? s.args.slice(1) : []);
  must(run(kind, s.work, s.repo, ["check", "--read-packs"]), "check after the kill");
  checkRestores(kind, s.work, s.repo, s.expected, forgotten, "after the kill");
  must(run(kind, s.work, s.repo, s.args), "rerun");
  if (c === "backup") s.expected.set(snapshotIds(kind, s.work, s.repo).at(-1)!, t.data);
  for (const id of forgotten) if (snapshotIds(kind, s.work, s.repo).includes(id)) throw new Failure(`rerun: snapshot ${id} wasn't forgotten`);
  checkClean(kind, s.work, s.repo, "after the rerun");
  checkRestores(kind, s.work, s.repo, s.expected, forgotten, "after the prune");
  if (s.dest) {
    checkClean(kind, s.work, s.dest, "copy's destination");
    checkRestores(kind, s.work, s.dest, s.expected, new Set(), "copy's destination");
  }
  const left = filesIn(s.work);
  if (left.length > 0) throw new Failure(`left in the working directory: ${left.join(", ")}`);
  for (const r of [s.repo, s.dest]) {
    const runs = r === undefined ? [] : runDirsIn(scratchRootOf(r));
    if (runs.length > 0) throw new Failure(`left in ${r}'s scratch directory: ${runs.join(", ")}`);
  }
  return killed;
}

async function main(): Promise<void> {
  const kind = argv.includes("--s3") ? await s3Repos() : filesystemRepos();
  const failures: string[] = [];
  let kills = 0;
  let finishedFirst = 0;
  try {
    const t = prepare(kind);
    const next = prng(SEED);
    for (const c of ONLY) {
      const duration = measure(kind, c, t);
      console.log(`${c} on ${kind.name}: ${duration.toFixed(0)} ms unkilled; ${KILLS} kills`);
      for (let k = 0; k < KILLS; k++) {
        const delay = (next() / 2 ** 32) * duration;
        const faults = SHORT_WRITES ? `put:packs/:${1 + (next() % 3)}:short` : undefined;
        try {
          if (await oneKill(kind, c, t, delay, faults)) kills++;
          else finishedFirst++;
        } catch (err) {
          if (!(err instanceof Failure)) throw err;
          failures.push(`${c} kill ${k} at ${delay.toFixed(0)} ms${faults ? ` (${faults})` : ""}: ${err.message}`);
          console.log(`  FAIL ${failures.at(-1)}`);
        }
      }
    }
  } finally {
    kind.close();
  }
  console.log(`${kills} kills, ${finishedFirst} runs finished before their kill, ${failures.length} failures (seed ${SEED}, ${kind.name}${SHORT_WRITES ? ", short writes" : ""})`);
  for (const f of failures) console.log(`- ${f}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

await main();
