/**
 * `check` walks each snapshot's trees once: with BACKPAK_TREE_CACHE_MIB=1 and trees that take
 * several MiB decoded (so nothing read early is still cached at the end), each tree is decoded
 * once, but the root, which the layout check reads again; with a second snapshot, each tree of
 * either is still decoded once (a tree they share, once for both), but the two roots.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, ok, setup } from "./harness.ts";

cleanUpAfterThisFile();

const DIRS = 80;
const FILES = 100;

/** How often each tree was decoded, by tree. */
const treeReads = (stderr: string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const m of stderr.matchAll(/Decoding tree ([0-9a-v]+)/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
};

test("check decodes each tree once through a 1 MiB tree cache, whatever the number of snapshots", () => {
  const { work, repo } = setup("check-walk");
  const src = path.join(work, "src");
  for (let d = 0; d < DIRS; d++) {
    const dir = path.join(src, `dir-${String(d).padStart(3, "0")}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES; f++) fs.writeFileSync(path.join(dir, `file-${String(f).padStart(4, "0")}`), `${d}/${f}\n`);
  }
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
