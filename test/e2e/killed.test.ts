/** A backup killed outright (SIGKILL, as by the OOM killer or a power cut) loses nothing: the next run resumes and cleans up after it. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, filesIn, objectIds, ok, spawnCli, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** The ID of a process that has exited. */
function deadPid(): number {
  const p = Bun.spawnSync(["true"]);
  return p.pid;
}

test("a backup killed mid-way resumes from what it stored, and the unfinished files it left are deleted", async () => {
  const work = tempDir("killed-work");
  const repo = path.join(work, "repo");
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < 16; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(500 + i, 4 << 20));
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));

  const proc = spawnCli(work, repo, ["backup", src]);
  // Kill it once it has finished a pack (the WIP index lists it) and is still going.
  while (!fs.existsSync(path.join(work, "backpak-wip.index"))) {
    if (proc.exitCode !== null) throw new Error(`the backup ended (${proc.exitCode}) before it could be killed`);
    await Bun.sleep(1);
  }
  proc.kill("SIGKILL");
  await proc.exited;
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
