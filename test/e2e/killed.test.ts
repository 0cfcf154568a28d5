/**
 * A backup killed outright (SIGKILL, as by the OOM killer or a power cut) loses nothing: the next
 * run, from any working directory, adopts its run directory, resumes and cleans up after it (and
 * leaves a live run's directory alone), even when a prune deleted the packs it stored meanwhile;
 * what an earlier version left in the working directory is adopted too.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, deadPid, filesIn, objectIds, ok, spawnCli, tempDir } from "./harness.ts";
import { plantLiveRun, runDirsIn, scratchRootOf, waitingPacks, whenRun } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

/** A backup of 1 MiB packs SIGKILLed once `stop(runDir)` says so (while it is still going): its working dir, repository, source and run directory. */
async function killedBackup(label: string, files: number, fileBytes: number, stop: (runDir: string, repo: string) => boolean): Promise<{ work: string; repo: string; src: string; runDir: string }> {
  const work = tempDir(`${label}-work`);
  const repo = path.join(work, "repo");
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(500 + i, fileBytes));
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
  const proc = spawnCli(work, repo, ["backup", src]);
  const { dir } = await whenRun(scratchRootOf(repo), proc, (d) => stop(d, repo));
  proc.kill("SIGKILL");
  await proc.exited;
  return { work, repo, src, runDir: dir };
}

test("a killed backup's run directory is adopted by the next run and removed; a live run's directory is left alone", async () => {
  // Killed once it has finished a pack (the WIP index lists it) and is still going.
  const { work, repo, src, runDir } = await killedBackup("killed", 16, 4 << 20, (d) => fs.existsSync(path.join(d, "backpak-wip.index")));
  expect(objectIds(repo, "snapshots")).toEqual([]);
  const stored = objectIds(repo, "packs");
  const root = scratchRootOf(repo);

  // What a killed run leaves in its directory goes; a run still going (this test process) keeps its own.
  const abandoned = `temp-backpak-${deadPid()}-0123456789ab.pack`;
  fs.writeFileSync(path.join(runDir, abandoned), "unfinished");
  const liveFiles = [`temp-backpak-${process.pid}-0123456789ab.pack`, "backpak-wip.index"];
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
  const { work, repo, src, runDir } = await killedBackup("killed-legacy", 8, 4 << 20, (d) => waitingPacks(d).length > 0 && fs.existsSync(path.join(d, "backpak-wip.index")));
  const waiting = waitingPacks(runDir);
  for (const f of [...waiting, "backpak-wip.index"]) fs.renameSync(path.join(runDir, f), path.join(work, f));
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

  // A prune from elsewhere (say, a cron job) runs before the backup is resumed.
  const pruned = ok(cli(tempDir("killed-pruned-elsewhere"), repo, ["prune"]));
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
