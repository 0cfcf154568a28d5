/**
 * A backup killed outright (SIGKILL, as by the OOM killer or a power cut) loses nothing: the next
 * run resumes and cleans up after it, even when a prune deleted the packs it stored meanwhile.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, deadPid, filesIn, objectIds, ok, spawnCli, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** A backup of 1 MiB packs SIGKILLed once `stop` says so (while it is still going): its working dir, repository and source. */
async function killedBackup(label: string, files: number, fileBytes: number, stop: (work: string, repo: string) => boolean): Promise<{ work: string; repo: string; src: string }> {
  const work = tempDir(`${label}-work`);
  const repo = path.join(work, "repo");
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(500 + i, fileBytes));
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
  const proc = spawnCli(work, repo, ["backup", src]);
  while (!stop(work, repo)) {
    if (proc.exitCode !== null) throw new Error(`the backup ended (${proc.exitCode}) before it could be killed`);
    await Bun.sleep(1);
  }
  proc.kill("SIGKILL");
  await proc.exited;
  return { work, repo, src };
}

test("a backup killed mid-way resumes from what it stored, and the unfinished files it left are deleted", async () => {
  // Killed once it has finished a pack (the WIP index lists it) and is still going.
  const { work, repo, src } = await killedBackup("killed", 16, 4 << 20, (w) => fs.existsSync(path.join(w, "backpak-wip.index")));
  expect(objectIds(repo, "snapshots")).toEqual([]);
  const stored = objectIds(repo, "packs");

  // What a killed run leaves, and what a run still going has: only the first may be deleted.
  const abandoned = `temp-backpak-${deadPid()}-0123456789ab.pack`;
  const live = `temp-backpak-${process.pid}-0123456789ab.pack`;
  fs.writeFileSync(path.join(work, abandoned), "unfinished");
  fs.writeFileSync(path.join(work, live), "in progress");

  const resumed = ok(cli(work, repo, ["backup", src]));
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  expect(resumed.stderr).toContain(`Removed ${abandoned}, left unfinished by an interrupted run`);
  expect(filesIn(work).filter((f) => !f.startsWith("src/") && !f.startsWith("repo/"))).toEqual([live]);
  // The packs the killed run stored are kept, not written again.
  expect(objectIds(repo, "packs")).toEqual(expect.arrayContaining(stored));
  ok(cli(work, repo, ["check", "--read-packs"]));
  const out = tempDir("killed-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
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
