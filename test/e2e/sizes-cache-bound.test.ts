/**
 * `snapshots --sizes/--file-sizes/--stat` and `usage` read trees through the bounded cache, never
 * holding a snapshot's trees whole: with BACKPAK_TREE_CACHE_MIB=1 and trees that take several MiB
 * decoded, they print exactly what they print with the default budget, and the sizes walk and the
 * --stat comparison each read trees the cache had to let go of.
 */
import { expect, test } from "bun:test";
import { backedUpWideTree, BOUNDED, changeFiles, mostReads } from "./wide-tree.ts";
import { cleanUpAfterThisFile, cli, ok } from "./harness.ts";

cleanUpAfterThisFile();

test("snapshots with sizes and changes, and usage, print the same through a 1 MiB tree cache", () => {
  const { work, repo, src } = backedUpWideTree("sizes-bound");
  const run = (args: string[]): void => {
    const whole = ok(cli(work, repo, args));
    const part = ok(cli(work, repo, args, BOUNDED));
    expect(part.stdout).toEqual(whole.stdout);
    expect(mostReads(whole.stderr)).toBe(1);
  };
  for (const args of [["snapshots", "--file-sizes"], ["usage"]]) run(args);

  // One snapshot: held whole, each tree would be read once for both the sizes and the comparison.
  const stat = ["snapshots", "--stat", "--file-sizes"];
  run(stat);
  const part = ok(cli(work, repo, stat, BOUNDED));
  expect(part.stdout).toContain(" + src/dir-079/file-0099 | 6 B new, 0 B reused\n");
  expect(mostReads(part.stderr)).toBeGreaterThan(1);

  // A second snapshot, three files changed: its sizes count the unchanged directories as reused.
  changeFiles(src, [3, 40, 79]);
  ok(cli(work, repo, ["backup", src]));
  for (const args of [["snapshots", "--file-sizes"], stat, ["usage"]]) run(args);
});
