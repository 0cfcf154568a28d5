/** Port of backpak's tests/backup-and-rebuild-index.rs: tagged backups, then rebuild-index condenses the indexes into one. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { writeLicense, writeReadme, writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, filesIn, objectIds, ok, setup, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

test("rebuild_index", () => {
  const { work, repo } = setup("rebuild");
  const src = writeSrcTree(work);
  const otherSrc = writeSrcTree(tempDir("rebuild-other"), 8);

  const sameName = fails(cli(work, repo, ["backup", src, otherSrc]));
  expect(errorReport(sameName)).toContain("Backups of directories with matching names (src/) isn't currently supported");

  ok(cli(work, repo, ["backup", "--tag", "foo", "--tag", "bar", "--", src]));
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(objectIds(repo, "indexes").length).toBe(1);

  ok(cli(work, repo, ["backup", writeReadme(work), writeLicense(work)]));
  const before = objectIds(repo, "indexes");
  expect(before.length).toBe(2);
  const packs = objectIds(repo, "packs");

  ok(cli(work, repo, ["rebuild-index"]));
  const after = objectIds(repo, "indexes");
  expect(after.length).toBe(1);
  expect(before).not.toContain(after[0]);
  // Only the index changed, and nothing is left behind in the scratch directory.
  expect(objectIds(repo, "packs")).toEqual(packs);
  expect(runDirsIn(scratchRootOf(repo))).toEqual([]);
  ok(cli(work, repo, ["check", "--read-packs"]));

  // The rebuilt index lists every pack the two old ones did.
  const listed = Object.keys(JSON.parse(ok(cli(work, repo, ["cat", "index", after[0]!])).stdout).packs).sort();
  expect(listed).toEqual(packs);
});

test("rebuild-index -n builds the index but replaces nothing", () => {
  const { work, repo } = setup("rebuild-dry");
  ok(cli(work, repo, ["backup", writeSrcTree(work)]));
  ok(cli(work, repo, ["backup", writeReadme(work)]));
  const before = objectIds(repo, "indexes");
  ok(cli(work, repo, ["rebuild-index", "-n"]));
  expect(objectIds(repo, "indexes")).toEqual(before);
  expect(filesIn(work).filter((f) => !f.startsWith("src/") && f !== "README.md")).toEqual([]);
});

test("rebuild-index restores an index that was lost", () => {
  const { work, repo } = setup("rebuild-lost");
  const src = writeSrcTree(work);
  ok(cli(work, repo, ["backup", src]));
  for (const id of objectIds(repo, "indexes")) fs.rmSync(path.join(repo, "indexes", `${id}.index`));
  fails(cli(work, repo, ["check"]));
  ok(cli(work, repo, ["rebuild-index"]));
  ok(cli(work, repo, ["check", "--read-packs"]));
  const out = tempDir("rebuild-lost-out");
  ok(cli(work, repo, ["restore", "LAST", "--output", out]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
});
