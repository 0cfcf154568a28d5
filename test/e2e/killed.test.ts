/**
 * A backup killed outright (SIGKILL, as by the OOM killer or a power cut) loses nothing: the next
 * run, from any working directory, adopts its run directory, resumes and cleans up after it (and
 * leaves a live run's directory alone), even when a prune from elsewhere deleted the packs it
 * stored meanwhile; a prune that adopts it keeps its packs for the next backup; what an earlier
 * version left in the working directory is adopted too.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { buildIndexFile } from "../../src/repo/index-file.ts";
import { readJournal } from "../../src/repo/wip-journal.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, deadPid, type EnvOverrides, filesIn, objectIds, ok, puts, spawnCli, tempDir } from "./harness.ts";
import { plantLiveRun, runDirsIn, scratchRootOf, waitingPacks, whenRun } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

/** The packs listed by the WIP journal in run directory `dir` (none before it is written). */
function wipPacks(dir: string): string[] {
  return [...readJournal(dir).packs.keys()];
}

/**
 * A backup of 1 MiB packs SIGKILLed once `stop(runDir)` says so (while it is still going): its
 * working dir, repository, source and run directory. `before` runs on the new repository first;
 * the backup runs with `env`.
 */
async function killedBackup(
  label: string,
  files: number,
  fileBytes: number,
  stop: (runDir: string, repo: string) => boolean,
  { before = () => {}, env = {} }: { before?: (work: string, repo: string) => void; env?: EnvOverrides } = {},
): Promise<{ work: string; repo: string; src: string; runDir: string }> {
  const work = tempDir(`${label}-work`);
  const repo = path.join(work, "repo");
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(500 + i, fileBytes));
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
  before(work, repo);
  const proc = spawnCli(work, repo, ["backup", src], env);
  const { dir } = await whenRun(scratchRootOf(repo), proc, (d) => stop(d, repo));
  proc.kill("SIGKILL");
  await proc.exited;
  return { work, repo, src, runDir: dir };
}

test("a killed backup's run directory is adopted by the next run and removed; a live run's directory is left alone", async () => {
  // Killed once it has finished a pack (the WIP index lists it) and is still going.
  const { work, repo, src, runDir } = await killedBackup("killed", 16, 4 << 20, (d) => fs.existsSync(path.join(d, "backpak-wip.journal")));
  expect(objectIds(repo, "snapshots")).toEqual([]);
  const stored = objectIds(repo, "packs");
  const root = scratchRootOf(repo);

  // What a killed run leaves in its directory goes; a run still going (this test process) keeps its own.
  const abandoned = `temp-backpak-${deadPid()}-0123456789ab.pack`;
  fs.writeFileSync(path.join(runDir, abandoned), "unfinished");
  const liveFiles = [`temp-backpak-${process.pid}-0123456789ab.pack`, "backpak-wip.journal"];
  const live = plantLiveRun(root, liveFiles);

  const resumed = ok(cli(tempDir("killed-elsewhere"), repo, ["backup", src]));
  expect(resumed.stderr).toContain(`Adopted what an interrupted run left in ${root}/`);
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  expect(resumed.stderr).toMatch(new RegExp(`Removed ${root}/\\S+/adopted-${path.basename(runDir)}/${abandoned}, left by an interrupted run`));
  expect(fs.existsSync(runDir)).toBe(false);
  expect(runDirsIn(root)).toEqual([path.basename(live)]);
  expect(fs.readdirSync(live).sort()).toEqual([...liveFiles, "process"].sort());
  expect(filesIn(work).filter((f) => !f.startsWith("src/") && !f.startsWith("repo/"))).toEqual([]);
  // The packs the killed run stored are kept, not written again.
  expect(objectIds(repo, "packs")).toEqual(expect.arrayContaining(stored));
  ok(cli(work, repo, ["check", "--read-packs"]));
  const out = tempDir("killed-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
});

test("what an earlier version left in the working directory (a WIP index and its packs) is adopted once", async () => {
  // An earlier version kept a killed run's state in the working directory: made here from a killed run's directory.
  const { work, repo, src, runDir } = await killedBackup("killed-legacy", 8, 4 << 20, (d) => waitingPacks(d).length > 0 && fs.existsSync(path.join(d, "backpak-wip.journal")));
  const waiting = waitingPacks(runDir);
  for (const f of waiting) fs.renameSync(path.join(runDir, f), path.join(work, f));
  fs.writeFileSync(path.join(work, "backpak-wip.index"), buildIndexFile(readJournal(runDir)).file);
  fs.rmSync(runDir, { recursive: true });
  const stored = objectIds(repo, "packs");

  const resumed = ok(cli(work, repo, ["backup", src]));
  expect(resumed.stderr).toContain(`Adopted the resume state an earlier version of backpak left in ${work}`);
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  // The waiting packs were stored from where the earlier version left them, not made again.
  expect(objectIds(repo, "packs")).toEqual(expect.arrayContaining([...stored, ...waiting.map((f) => f.replace(".pack", ""))]));
  expect(filesIn(work).filter((f) => !f.startsWith("src/") && !f.startsWith("repo/"))).toEqual([]);
  expect(runDirsIn(scratchRootOf(repo))).toEqual([]);
  ok(cli(work, repo, ["check", "--read-packs"]));
});

test("a backup killed after storing packs resumes after a prune deleted them, packing their blobs again", async () => {
  // Killed once it has stored two packs, which no index lists yet.
  const { work, repo, src } = await killedBackup("killed-pruned", 8, 2 << 20, (_, r) => objectIds(r, "packs").length >= 2);
  expect(objectIds(repo, "snapshots")).toEqual([]);

  // A prune from elsewhere (say, another machine's cron job, so it can't adopt the killed run's
  // directory) runs before the backup is resumed.
  const pruned = ok(cli(tempDir("killed-pruned-elsewhere"), repo, ["--scratch-dir", tempDir("killed-pruned-scratch"), "prune"]));
  expect(pruned.stdout).toContain("that no index lists");
  expect(objectIds(repo, "packs")).toEqual([]);

  const resumed = ok(cli(work, repo, ["backup", src]));
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  expect(resumed.stderr).toContain("its blobs will be packed again");
  const { stderr } = ok(cli(work, repo, ["check", "--read-packs"]));
  expect(stderr).not.toContain("not listed in any index");
  const out = tempDir("killed-pruned-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
});

for (const forgotten of [false, true]) {
  test(`a prune that adopts a killed backup's run directory${forgotten ? ", with a forgotten snapshot to prune," : ""} keeps its packs, and the next backup stores none of them again`, async () => {
    // Killed with two packs stored and more finished but waiting (every later upload hangs).
    const earlier = new Set<string>();
    const before = (work: string, repo: string): void => {
      if (!forgotten) return;
      const old = path.join(work, "old");
      fs.mkdirSync(old);
      fs.writeFileSync(path.join(old, "gone"), randomBytes(77, 1500_000));
      ok(cli(work, repo, ["backup", old]));
      ok(cli(work, repo, ["forget", "LAST"]));
      for (const p of objectIds(repo, "packs")) earlier.add(p);
    };
    const stored = (repo: string): string[] => objectIds(repo, "packs").filter((p) => !earlier.has(p));
    const { work, repo, src, runDir } = await killedBackup("killed-adopted", 8, 2 << 20, (d, r) => stored(r).length === 2 && wipPacks(d).length > 2, {
      before,
      env: { BACKPAK_BACKEND_FAULT: "put:packs/:3+:hang" },
    });
    const killedRun = wipPacks(runDir);
    expect(killedRun).toEqual(expect.arrayContaining(stored(repo)));

    // The prune adopts the killed run's directory: it stores the waiting packs (and its index), and deletes none of the stored ones.
    const pruned = ok(cli(work, repo, ["prune"]));
    expect(pruned.stderr).toContain("Adopted what an interrupted run left in");
    expect(pruned.stdout).toMatch(/Keep \d+ packs \(.+\) an interrupted run left, listed in the new index so that the next backup reuses them/);
    expect(puts(pruned)).toBe(killedRun.length - 2 + 1);
    expect(objectIds(repo, "packs").sort()).toEqual(killedRun.sort());
    const inodes = new Map(killedRun.map((p) => [p, fs.statSync(path.join(repo, "packs", `${p}.pack`)).ino]));
    expect(runDirsIn(scratchRootOf(repo))).toEqual([]);

    // The next backup finds their blobs indexed: it stores only what the killed run hadn't packed, and none of its packs again.
    const rerun = ok(cli(work, repo, ["backup", src]));
    expect(rerun.stderr).not.toContain("resuming where we left off");
    const added = objectIds(repo, "packs").filter((p) => !inodes.has(p));
    expect(puts(rerun)).toBe(added.length + 2);
    for (const [p, ino] of inodes) expect(fs.statSync(path.join(repo, "packs", `${p}.pack`)).ino).toBe(ino);
    const { stderr } = ok(cli(work, repo, ["check", "--read-packs"]));
    expect(stderr).not.toContain("not listed in any index");
    expect(stderr).not.toContain("more than one pack");
    const out = tempDir("killed-adopted-out");
    ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
    expect(contentsOf(out)).toEqual(contentsOf(src));
  });
}
