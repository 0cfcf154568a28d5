/**
 * A seeded stress run of commands sharing one repository: each round edits N overlapping source
 * trees and runs, all at once, N backups (each from its own working directory), a forget and a
 * prune (those waiting for locks with --retry-lock); at the end, `check --read-packs` and a restore
 * of every remaining snapshot compared byte for byte with its tree as it was backed up. Prints the
 * runs made and every failure; exits 1 if there was one. Uses the compiled dist/backpak.
 *
 *   npm run stress:concurrency -- [--writers 4] [--rounds 10] [--seed 1] [--repo DIR]
 *
 * Without --repo the repository is a fresh filesystem one in a temporary directory; --repo may also
 * name an S3 or other repository's config file (its credentials come from the environment).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { changeSeededTree, writeSeededTree } from "../test/helpers/seeded-tree.ts";
import { contentsOf } from "../test/helpers/tree-contents.ts";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : dflt;
};
const WRITERS = Number(opt("writers", "4"));
const ROUNDS = Number(opt("rounds", "10"));
const SEED = Number(opt("seed", "1"));
const MAX_FILE = 1 << 20;
const BIN = path.resolve(import.meta.dir, "..", "dist", "backpak");

const root = fs.mkdtempSync(path.join(os.tmpdir(), "backpak-stress-"));
const repo = opt("repo", path.join(root, "repo"));
const failures: string[] = [];
let runs = 0;
/** Runs that found another command's lock in the way and waited (--retry-lock). */
let waited = 0;

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `backpak <args>` on the repository from `work` (a failure is recorded, not thrown). */
async function backpak(work: string, args: readonly string[]): Promise<Ran> {
  runs++;
  const proc = Bun.spawn([BIN, "-C", work, "--config", "", "-r", repo, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, BACKPAK_WORKERS: "1" } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (stderr.includes("; trying again for up to")) waited++;
  if (code !== 0) failures.push(`backpak ${args.join(" ")} exited ${code}:\n${stderr.split("\n").slice(-8).join("\n")}`);
  return { code, stdout, stderr };
}

const dir = (name: string): string => {
  const d = path.join(root, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
};

try {
  if (!fs.existsSync(repo)) await backpak(dir("init"), ["init", "filesystem"]);
  const trees = Array.from({ length: WRITERS }, (_, i) =>
    writeSeededTree(path.join(root, "src", `tree${i}`), { seed: SEED * 100 + i, own: 4, sharedSeed: SEED, shared: 4, maxSize: MAX_FILE }),
  );
  /** Short snapshot ID → the tree's contents when it was backed up. */
  const expected = new Map<string, Record<string, string>>();
  for (let round = 0; round < ROUNDS; round++) {
    trees.forEach((t, i) => changeSeededTree(t, SEED * 1_000_000 + round * 100 + i, MAX_FILE));
    const before = trees.map((t) => contentsOf(t));
    const backups = trees.map((t, i) => backpak(dir(`work/backup${i}`), ["--retry-lock", "30m", "backup", t]));
    const others = [backpak(dir("work/forget"), ["--retry-lock", "30m", "forget", "--keep-last", String(WRITERS * 2)]), backpak(dir("work/prune"), ["--retry-lock", "30m", "prune"])];
    const done = await Promise.all(backups);
    done.forEach((r, i) => {
      const id = /Snaphsot ([0-9a-v]+) done/.exec(r.stdout)?.[1];
      if (id !== undefined) expected.set(id, before[i]!);
    });
    await Promise.all(others);
    console.log(`round ${round + 1}/${ROUNDS}: ${runs} runs, ${failures.length} failures`);
  }

  await backpak(dir("check"), ["check", "--read-packs"]);
  const listed = await backpak(dir("check"), ["snapshots"]);
  let verified = 0;
  for (const id of [...listed.stdout.matchAll(/^snapshot ([0-9a-v]+)/gm)].map((m) => m[1]!.slice(0, 8))) {
    const want = expected.get(id);
    if (want === undefined) {
      failures.push(`snapshot ${id} is in the repository but no backup reported it`);
      continue;
    }
    const out = path.join(root, "restore", id);
    if ((await backpak(dir("restore-work"), ["restore", "--output", out, id])).code !== 0) continue;
    const got = contentsOf(out);
    const diff = [...new Set([...Object.keys(want), ...Object.keys(got)])].filter((k) => want[k] !== got[k]);
    if (diff.length > 0) failures.push(`snapshot ${id} restores differently from its tree: ${diff.slice(0, 5).join(", ")}`);
    else verified++;
    fs.rmSync(out, { recursive: true, force: true });
  }
  console.log(`${WRITERS} writers, ${ROUNDS} rounds, seed ${SEED}: ${runs} runs made (${waited} waited for a lock), ${verified} snapshots restored byte for byte, ${failures.length} failures`);
  for (const f of failures) console.log(`FAILURE: ${f}`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
process.exitCode = failures.length > 0 ? 1 : 0;
