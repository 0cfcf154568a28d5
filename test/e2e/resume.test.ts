/**
 * Port of backpak's tests/resume.rs: a backup picks up the WIP index and packs an interrupted run
 * left in the working directory (where backpak, and earlier versions of this one, keep them).
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pinTimes, writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, contentsOf, filesIn, listedSnapshots, objectIds, ok, setup, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

/** Turns a finished backup back into an interrupted one: no snapshot, its index moved to the working dir as the WIP index. */
function unfinish(work: string, repo: string, { movePacks }: { movePacks: boolean }): void {
  for (const id of objectIds(repo, "snapshots")) fs.rmSync(path.join(repo, "snapshots", `${id}.snapshot`));
  const [index, ...others] = objectIds(repo, "indexes");
  expect(others).toEqual([]);
  fs.renameSync(path.join(repo, "indexes", `${index}.index`), path.join(work, "backpak-wip.index"));
  if (movePacks) for (const id of objectIds(repo, "packs")) fs.renameSync(path.join(repo, "packs", `${id}.pack`), path.join(work, `${id}.pack`));
}

test("backup_src resumes from the WIP index and from packs left in the working dir", () => {
  const { work, repo } = setup("resume");
  const src = writeSrcTree(work);
  // Reading files moves their atimes (relatime), which would change the trees of the next backup.
  pinTimes(src);
  ok(cli(work, repo, ["backup", src]));
  const packs = objectIds(repo, "packs");

  unfinish(work, repo, { movePacks: false });
  const fromIndex = ok(cli(work, repo, ["backup", src]));
  expect(fromIndex.stderr).toContain("deduped");
  expect(fromIndex.stderr).toContain("WIP index file found, resuming where we left off");
  expect(objectIds(repo, "packs")).toEqual(packs);
  expect(filesIn(work).filter((f) => !f.startsWith("src/"))).toEqual([]);
  ok(cli(work, repo, ["check", "--read-packs"]));

  unfinish(work, repo, { movePacks: true });
  expect(objectIds(repo, "packs")).toEqual([]);
  const fromPacks = ok(cli(work, repo, ["backup", src]));
  expect(fromPacks.stderr).toContain("deduped");
  // The packs were stored from the working dir, not rebuilt.
  expect(objectIds(repo, "packs")).toEqual(packs);
  expect(filesIn(work).filter((f) => !f.startsWith("src/"))).toEqual([]);
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(listedSnapshots(work, repo).length).toBe(1);

  const out = tempDir("resume-out");
  ok(cli(work, repo, ["restore", "LAST", "--output", out]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
});

test("a WIP index naming a pack that is nowhere (a prune deleted it) is resumed without it: its blobs are packed again", () => {
  const { work, repo } = setup("resume-missing");
  const src = writeSrcTree(work);
  ok(cli(work, repo, ["backup", src]));
  unfinish(work, repo, { movePacks: true });
  const [lost] = filesIn(work).filter((f) => f.endsWith(".pack"));
  fs.rmSync(path.join(work, lost!));
  const r = ok(cli(work, repo, ["backup", src]));
  expect(r.stderr).toContain(`Pack ${lost!.replace(".pack", "")} of the WIP index is neither in ${scratchRootOf(repo)}/`);
  expect(r.stderr).toContain("nor in the repository");
  expect(fs.existsSync(path.join(work, "backpak-wip.index"))).toBe(false);
  expect(runDirsIn(scratchRootOf(repo))).toEqual([]);
  ok(cli(work, repo, ["check", "--read-packs"]));
  const out = tempDir("resume-missing-out");
  ok(cli(work, repo, ["restore", "LAST", "--output", out]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
});
