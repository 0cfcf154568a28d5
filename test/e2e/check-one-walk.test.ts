/**
 * `check` walks each snapshot's trees once: with BACKPAK_TREE_CACHE_MIB=1 and trees that take
 * several MiB decoded (so nothing read early is still cached at the end), each tree is decoded
 * once, but the root, which the layout check reads again; with a second snapshot, each tree of
 * either is still decoded once (a tree they share, once for both), but the two roots.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { DIRS, treeReads, writeWideTree } from "./wide-tree.ts";
import { cleanUpAfterThisFile, cli, ok, setup } from "./harness.ts";

cleanUpAfterThisFile();


test("check decodes each tree once through a 1 MiB tree cache, whatever the number of snapshots", () => {
  const { work, repo } = setup("check-walk");
  const src = path.join(work, "src");
  writeWideTree(src);
  ok(cli(work, repo, ["backup", src]));
  const bounded = { env: { BACKPAK_TREE_CACHE_MIB: "1" } };
  const once = treeReads(ok(cli(work, repo, ["check"], bounded)).stderr);
  // The snapshot's root, the directory backed up, and one per subdirectory.
  expect(once.size).toBe(DIRS + 2);
  expect([...once.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(1);

  fs.writeFileSync(path.join(src, "dir-040", "file-0007"), "changed, longer\n");
  ok(cli(work, repo, ["backup", src]));
  const twice = treeReads(ok(cli(work, repo, ["check"], bounded)).stderr);
  // The second snapshot has new trees (at least its root, src and dir-040; more where reading the files moved their access times).
  expect(twice.size).toBeGreaterThanOrEqual(DIRS + 2 + 3);
  expect([...twice.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(2);
});
