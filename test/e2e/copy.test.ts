/** Port of backpak's tests/copy.rs, plus: copies keep snapshot IDs, -n stores nothing, a list copies only what it names. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { writeReadme, writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, EMPTY_REPO, entriesIn, fails, letOthersRead, lines, listedSnapshots, ok, setup, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf, sharedScratch, withResumeIndex } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

/** `snapshots` output without the line naming the repository. */
function snapshotsText(work: string, repo: string): string[] {
  return lines(ok(cli(work, repo, ["snapshots"])).stdout).filter((l) => !l.startsWith("Opening repository"));
}

function twoRepos(label: string): { work: string; repo: string; repo2: string; src: string } {
  const { work, repo } = setup(label);
  const repo2 = tempDir(`${label}-repo2`);
  ok(cli(work, repo2, ["init", "filesystem"]));
  return { work, repo, repo2, src: writeSrcTree(work) };
}

test("copy_smoke: an unfiltered copy is the same snapshot, same ID", () => {
  const { work, repo, repo2, src } = twoRepos("copy");
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["backup", "--tag", "readme", writeReadme(work)]));

  ok(cli(work, repo, ["copy", "--all", "--to", repo2]));
  ok(cli(work, repo, ["check", "-r"]));
  ok(cli(work, repo2, ["check", "-r"]));

  expect(listedSnapshots(work, repo2)).toEqual(listedSnapshots(work, repo));
  expect(snapshotsText(work, repo2)).toEqual(snapshotsText(work, repo));
  expect(ok(cli(work, repo2, ["ls", "LAST~1"])).stdout).toBe(ok(cli(work, repo, ["ls", "LAST~1"])).stdout);
  expect(ok(cli(work, repo2, ["ls", "LAST"])).stdout).toBe(ok(cli(work, repo, ["ls", "LAST"])).stdout);

  // Copying again finds everything already there.
  const packs = entriesIn(repo2);
  ok(cli(work, repo, ["copy", "--all", "--to", repo2]));
  expect(entriesIn(repo2)).toEqual(packs);
});

test("copy_filtered: --skip drops matching paths from the copies", () => {
  const { work, repo, repo2, src } = twoRepos("copy-filtered");
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["copy", "--skip", "backend", "--all", "--to", repo2]));
  ok(cli(work, repo, ["check", "-r"]));
  ok(cli(work, repo2, ["check", "-r"]));

  const original = lines(ok(cli(work, repo, ["ls", "LAST"])).stdout);
  const copied = lines(ok(cli(work, repo2, ["ls", "LAST"])).stdout);
  expect(copied).toEqual(original.filter((l) => !l.includes("backend")));
  expect(copied.length).toBeLessThan(original.length);
  // A filtered copy is a different snapshot.
  expect(listedSnapshots(work, repo2)).not.toEqual(listedSnapshots(work, repo));
});

test("copy names snapshots to copy; -n stores nothing", () => {
  const { work, repo, repo2, src } = twoRepos("copy-list");
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["backup", writeReadme(work)]));
  const [, second] = listedSnapshots(work, repo);

  ok(cli(work, repo, ["copy", "-n", "--all", "--to", repo2]));
  expect(entriesIn(repo2)).toEqual(EMPTY_REPO);
  expect(entriesIn(work).filter((e) => !e.startsWith("src") && e !== "README.md")).toEqual([]);

  ok(cli(work, repo, ["copy", "--to", repo2, second!.slice(0, 8)]));
  expect(listedSnapshots(work, repo2)).toEqual([second!]);
  ok(cli(work, repo2, ["check", "-r"]));
});

test("copy refuses an uninitialized destination and a reference that matches nothing", () => {
  const { work, repo, src } = twoRepos("copy-bad");
  ok(cli(work, repo, ["backup", src]));
  const nowhere = tempDir("copy-nowhere");
  const r = fails(cli(work, repo, ["copy", "--all", "--to", nowhere]));
  expect(r.stderr).toContain(nowhere);
  expect(entriesIn(nowhere)).toEqual([]);

  const repo2 = tempDir("copy-bad-repo2");
  ok(cli(work, repo2, ["init", "filesystem"]));
  const none = fails(cli(work, repo, ["copy", "--to", repo2, "zzzzzzzz"]));
  expect(none.stderr).toContain("zzzzzzzz");
  expect(entriesIn(repo2)).toEqual(EMPTY_REPO);
  fails(cli(work, repo, ["copy", "--to", repo2]));
});

// As root, permission bits don't stop writes, so the interrupted run is made as nobody (uid 65534).
test("a copy that can't store its index resumes from its WIP index", () => {
  const { work, repo, repo2, src } = twoRepos("copy-resume");
  ok(cli(work, repo, ["backup", src]));
  fs.chmodSync(repo, 0o755);
  letOthersRead(repo);
  fs.chmodSync(repo2, 0o755);
  for (const d of [work, path.join(repo, "locks"), path.join(repo2, "packs"), path.join(repo2, "snapshots"), path.join(repo2, "locks")]) fs.chmodSync(d, 0o777);
  fs.chmodSync(path.join(repo2, "indexes"), 0o555);
  // A scratch directory both users can write in.
  const env = { BACKPAK_SCRATCH_DIR: sharedScratch("copy-resume") };
  try {
    fails(cli(work, repo, ["copy", "--all", "--to", repo2], { asUser: 65534, cwd: work, env }));
  } finally {
    fs.chmodSync(path.join(repo2, "indexes"), 0o755);
  }
  // Packs stored, no index and no snapshot yet: the WIP index remembers the packs.
  const packs = entriesIn(path.join(repo2, "packs"));
  expect(packs.length).toBe(2);
  expect(entriesIn(path.join(repo2, "snapshots"))).toEqual([]);
  const root = scratchRootOf(repo2, env.BACKPAK_SCRATCH_DIR);
  expect(withResumeIndex(root).length).toBe(1);

  const resumed = ok(cli(work, repo, ["copy", "--all", "--to", repo2], { env }));
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  expect(entriesIn(path.join(repo2, "packs"))).toEqual(packs);
  expect(listedSnapshots(work, repo2)).toEqual(listedSnapshots(work, repo));
  ok(cli(work, repo2, ["check", "--read-packs"]));
  expect(runDirsIn(root)).toEqual([]);
});
