/**
 * Commands walk trees through a bounded cache: with BACKPAK_TREE_CACHE_MIB=1 and a snapshot whose
 * trees take several MiB decoded, ls, diff (against a snapshot and against the disk), check and a
 * backup compared with its parent give exactly what they give with the default budget, though
 * trees have to be read again as they are evicted.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import { backedUpWideTree, BOUNDED, changeFiles, DIRS, FILES, mostReads } from "./wide-tree.ts";
import { cleanUpAfterThisFile, cli, ok, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("ls, diff, check and a backup with a parent give the same output through a 1 MiB tree cache", () => {
  const { work, repo, src } = backedUpWideTree("bound");
  const small = tempDir("bound-small-repo");
  fs.cpSync(repo, small, { recursive: true });

  // Three files change; the backup must take the other files from the parent's trees.
  changeFiles(src, [3, 40, 79]);
  const unchanged = (stderr: string): number => stderr.split("\n").filter((l) => / unchanged \//.test(l)).length;
  const backupDefault = ok(cli(work, repo, ["backup", src]));
  const backupSmall = ok(cli(work, small, ["backup", src], BOUNDED));
  expect(unchanged(backupSmall.stderr)).toBe(DIRS * FILES - 3);
  expect(unchanged(backupDefault.stderr)).toBe(DIRS * FILES - 3);

  let reread = mostReads(backupSmall.stderr);
  for (const args of [["ls", "LAST"], ["diff", "LAST~1", "LAST"], ["diff", "--metadata", "LAST~1"], ["check"]]) {
    const whole = ok(cli(work, repo, args));
    const part = ok(cli(work, small, args, BOUNDED));
    expect(part.stdout).toEqual(whole.stdout);
    expect(mostReads(whole.stderr)).toBe(1);
    reread = Math.max(reread, mostReads(part.stderr));
  }
  expect(ok(cli(work, small, ["ls", "LAST"], BOUNDED)).stdout.split("\n").filter((l) => l !== "")).toHaveLength(1 + DIRS + DIRS * FILES);
  // The bound was in force: some tree was read more than once.
  expect(reread).toBeGreaterThan(1);
});
