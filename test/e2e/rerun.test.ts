/**
 * Rerunning a command that was killed completes it and cleans what it left: forget of snapshots
 * already gone, a backup whose stored but unindexed packs a prune deleted meanwhile, and the
 * scratch files a killed backup, copy or filter-snapshot left in the working directory.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, filesIn, listedSnapshots, objectIds, ok, setup, spawnCli, tempDir } from "./harness.ts";

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

test("a backup killed after storing packs resumes after a prune deleted them, packing their blobs again", async () => {
  const work = tempDir("rerun-pruned-work");
  const repo = path.join(work, "repo");
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(700 + i, 2 << 20));
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));

  const proc = spawnCli(work, repo, ["backup", src]);
  // Kill it once it has stored two packs (which no index lists yet).
  while (objectIds(repo, "packs").length < 2) {
    if (proc.exitCode !== null) throw new Error(`the backup ended (${proc.exitCode}) before it could be killed`);
    await Bun.sleep(1);
  }
  proc.kill("SIGKILL");
  await proc.exited;
  expect(objectIds(repo, "snapshots")).toEqual([]);

  // A prune from elsewhere (say, a cron job) runs before the backup is resumed.
  const pruned = ok(cli(tempDir("rerun-pruned-elsewhere"), repo, ["prune"]));
  expect(pruned.stdout).toContain("that no index lists");
  expect(objectIds(repo, "packs")).toEqual([]);

  const resumed = ok(cli(work, repo, ["backup", src]));
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  expect(resumed.stderr).toContain("its blobs will be packed again");
  const { stderr } = ok(cli(work, repo, ["check", "--read-packs"]));
  expect(stderr).not.toContain("not listed in any index");
  const out = tempDir("rerun-pruned-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
});

/** The ID of a process that has exited. */
const deadPid = (): number => Bun.spawnSync(["true"]).pid;

/**
 * Puts in `work` what killed runs leave (returned as the names that must go) beside what a live
 * run has (which must stay): temporary packs and WIP indexes being rewritten, named after their
 * process, and finished files that were never stored.
 */
function plantLeftovers(work: string, id: string): { gone: string[]; live: string[] } {
  const dead = deadPid();
  const gone = [`temp-backpak-${dead}-0123456789ab.pack`, `backpak-wip.index.${dead}-0123456789ab.part`, `${id}.pack`, `${id}.snapshot`, `${id}.index`];
  const live = [`temp-backpak-${process.pid}-0123456789ab.pack`, `backpak-wip.index.${process.pid}-0123456789ab.part`];
  for (const name of [...gone, ...live]) fs.writeFileSync(path.join(work, name), "left behind");
  return { gone, live };
}

test("the next backup, copy or filter-snapshot deletes what killed runs left in its working directory, and nothing of a live run", () => {
  const { work, repo } = setup("rerun-leftovers");
  const data = path.join(work, "data");
  fs.mkdirSync(path.join(data, "skipped"), { recursive: true });
  fs.writeFileSync(path.join(data, "kept.bin"), randomBytes(1, 100_000));
  fs.writeFileSync(path.join(data, "skipped", "x.bin"), randomBytes(2, 100_000));
  ok(cli(work, repo, ["backup", data]));
  const [id] = listedSnapshots(work, repo) as [string];
  const dest = tempDir("rerun-leftovers-dest");
  ok(cli(work, dest, ["init", "filesystem"]));

  for (const args of [["backup", data], ["copy", "--to", dest, "LAST"], ["filter-snapshot", "--skip", "skipped", id]]) {
    const scratch = tempDir(`rerun-leftovers-${args[0]}`);
    const { gone, live } = plantLeftovers(scratch, id);
    const r = ok(cli(scratch, repo, args));
    for (const name of gone) expect(r.stderr).toContain(`Removed ${name}`);
    expect(filesIn(scratch).sort()).toEqual([...live].sort());
  }
  ok(cli(work, repo, ["check", "--read-packs"]));
});
