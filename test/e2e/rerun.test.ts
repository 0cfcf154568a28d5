/**
 * Rerunning a command that was killed completes it and cleans what it left: forget of snapshots
 * already gone, and the scratch files a killed run left in its run directory.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, deadPid, errorReport, fails, listedSnapshots, ok, setup, tempDir } from "./harness.ts";
import { processStartTime } from "../../src/lib/process-identity.ts";
import { plantDeadRun, plantLiveRun, runDirsIn, scratchRootOf } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

test("a rerun forget of snapshots already removed succeeds, but a prefix that matches nothing is still an error", () => {
  const { work, repo } = setup("rerun-forget");
  const file = path.join(work, "data", "f.txt");
  fs.mkdirSync(path.dirname(file));
  for (const text of ["one", "two", "three"]) {
    fs.writeFileSync(file, text);
    ok(cli(work, repo, ["backup", path.dirname(file)]));
  }
  const [a, b, c] = listedSnapshots(work, repo) as [string, string, string];
  // As a `forget A B` killed after deleting A leaves it.
  ok(cli(work, repo, ["forget", a]));

  const rerun = ok(cli(work, repo, ["forget", a, b]));
  expect(rerun.stderr).toMatch(new RegExp(`INFO .*Snapshot ${a} is already removed`));
  expect(rerun.stdout).toBe(`Forgetting ${b}\n`);
  expect(listedSnapshots(work, repo)).toEqual([c]);

  expect(errorReport(fails(cli(work, repo, ["forget", a.slice(0, 8)])))).toContain(`No snapshots start with ${a.slice(0, 8)}`);
  expect(listedSnapshots(work, repo)).toEqual([c]);
});

/**
 * Puts in scratch directory `root` what a killed run leaves (returned as the names that must go)
 * beside what a live run has (which must stay): temporary packs and WIP indexes being rewritten,
 * and finished files that were never stored.
 */
function plantLeftovers(root: string, id: string): { dead: string; gone: string[]; live: string; liveFiles: string[] } {
  const gone = [`temp-backpak-1-0123456789ab.pack`, `backpak-wip.index.1-0123456789ab.part`, `${id}.pack`, `${id}.snapshot`, `${id}.index`];
  const liveFiles = [`temp-backpak-${process.pid}-0123456789ab.pack`, `backpak-wip.index.${process.pid}-0123456789ab.part`];
  return { dead: plantDeadRun(root, deadPid(), gone), gone, live: plantLiveRun(root, liveFiles), liveFiles };
}

test("the next backup, copy, filter-snapshot, prune or rebuild-index deletes what killed runs left in the scratch directory, and nothing of a live run", () => {
  const { work, repo } = setup("rerun-leftovers");
  const data = path.join(work, "data");
  fs.mkdirSync(path.join(data, "skipped"), { recursive: true });
  fs.writeFileSync(path.join(data, "kept.bin"), randomBytes(1, 100_000));
  fs.writeFileSync(path.join(data, "skipped", "x.bin"), randomBytes(2, 100_000));
  ok(cli(work, repo, ["backup", data]));
  const [id] = listedSnapshots(work, repo) as [string];
  const dest = tempDir("rerun-leftovers-dest");
  ok(cli(work, dest, ["init", "filesystem"]));

  for (const args of [["backup", data], ["copy", "--to", dest, "LAST"], ["filter-snapshot", "--skip", "skipped", id], ["prune"], ["rebuild-index"]]) {
    const root = scratchRootOf(args[0] === "copy" ? dest : repo);
    const { dead, gone, live, liveFiles } = plantLeftovers(root, id);
    const r = ok(cli(tempDir(`rerun-leftovers-${args[0]}`), repo, args));
    for (const name of gone) expect(r.stderr).toContain(`/adopted-${path.basename(dead)}/${name}, left by an interrupted run`);
    expect(fs.existsSync(dead)).toBe(false);
    expect(runDirsIn(root)).toEqual([path.basename(live)]);
    expect(fs.readdirSync(live).sort()).toEqual([...liveFiles, "process"].sort());
    fs.rmSync(live, { recursive: true });
  }
  ok(cli(work, repo, ["check", "--read-packs"]));
});

test("a run directory whose PID now belongs to another process (it started at another time) is adopted too", () => {
  const { work, repo } = setup("rerun-reused-pid");
  const data = path.join(work, "data");
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, "f.bin"), randomBytes(3, 10_000));
  // This test's parent is running, but it isn't the process that made this directory.
  const pid = process.ppid;
  const dead = plantDeadRun(scratchRootOf(repo), pid, [`temp-backpak-${pid}-0123456789ab.pack`], String(Number(processStartTime(pid)) + 1));
  const r = ok(cli(work, repo, ["backup", data]));
  expect(r.stderr).toContain(`Adopted what an interrupted run left in ${scratchRootOf(repo)}/`);
  expect(fs.existsSync(dead)).toBe(false);
  expect(runDirsIn(scratchRootOf(repo))).toEqual([]);
});
