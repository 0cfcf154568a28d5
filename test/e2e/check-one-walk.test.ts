/**
 * `check` walks each snapshot's trees once: with BACKPAK_TREE_CACHE_MIB=1 and trees that take
 * several MiB decoded (so nothing read early is still cached at the end), each tree is decoded
 * once, but the root, which the layout check reads again; with a second snapshot, each tree of
 * either is still decoded once (a tree they share, once for both), but the two roots.
 */
import { expect, test } from "bun:test";
import { backedUpWideTree, BOUNDED, changeFiles, DIRS, treeReads } from "./wide-tree.ts";
import { cleanUpAfterThisFile, cli, ok } from "./harness.ts";

cleanUpAfterThisFile();

test("check decodes each tree once through a 1 MiB tree cache, whatever the number of snapshots", () => {
  const { work, repo, src } = backedUpWideTree("check-walk");
  const once = treeReads(ok(cli(work, repo, ["check"], BOUNDED)).stderr);
  // The snapshot's root, the directory backed up, and one per subdirectory.
  expect(once.size).toBe(DIRS + 2);
  expect([...once.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(1);

  changeFiles(src, [40]);
  ok(cli(work, repo, ["backup", src]));
  const twice = treeReads(ok(cli(work, repo, ["check"], BOUNDED)).stderr);
  // The second snapshot has new trees (at least its root, src and dir-040; more where reading the files moved their access times).
  expect(twice.size).toBeGreaterThanOrEqual(DIRS + 2 + 3);
  expect([...twice.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(2);
});
