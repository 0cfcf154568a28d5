/**
 * Commands walk trees through a bounded cache: with BACKPAK_TREE_CACHE_MIB=1 and a snapshot whose
 * trees take several MiB decoded, ls, diff (against a snapshot and against the disk), check and a
 * backup compared with its parent give exactly what they give with the default budget, though
 * trees have to be read again as they are evicted.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const DIRS = 80;
const FILES = 100;

/** How often each tree was decoded, by tree. */
const treeReads = (stderr: string): number[] => {
  const counts = new Map<string, number>();
  for (const m of stderr.matchAll(/Decoding tree ([0-9a-v]+)/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return [...counts.values()];
};

test("ls, diff, check and a backup with a parent give the same output through a 1 MiB tree cache", () => {
  const { work, repo } = setup("bound");
  const src = path.join(work, "src");
  for (let d = 0; d < DIRS; d++) {
    const dir = path.join(src, `dir-${String(d).padStart(3, "0")}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES; f++) fs.writeFileSync(path.join(dir, `file-${String(f).padStart(4, "0")}`), `${d}/${f}\n`);
  }
  ok(cli(work, repo, ["backup", src]));
  const small = tempDir("bound-small-repo");
  fs.cpSync(repo, small, { recursive: true });

  // Three files change; the backup must take the other files from the parent's trees.
  for (const d of [3, 40, 79]) fs.writeFileSync(path.join(src, `dir-${String(d).padStart(3, "0")}`, "file-0007"), "changed, longer\n");
  const bounded = { env: { BACKPAK_TREE_CACHE_MIB: "1" } };
  const unchanged = (stderr: string): number => stderr.split("\n").filter((l) => / unchanged \//.test(l)).length;
  const backupDefault = ok(cli(work, repo, ["backup", src]));
  const backupSmall = ok(cli(work, small, ["backup", src], bounded));
  expect(unchanged(backupSmall.stderr)).toBe(DIRS * FILES - 3);
  expect(unchanged(backupDefault.stderr)).toBe(DIRS * FILES - 3);

  let reread = Math.max(...treeReads(backupSmall.stderr));
  for (const args of [["ls", "LAST"], ["diff", "LAST~1", "LAST"], ["diff", "--metadata", "LAST~1"], ["check"]]) {
    const whole = ok(cli(work, repo, args));
    const part = ok(cli(work, small, args, bounded));
    expect(part.stdout).toEqual(whole.stdout);
    expect(Math.max(...treeReads(whole.stderr))).toBe(1);
    reread = Math.max(reread, ...treeReads(part.stderr));
  }
  expect(ok(cli(work, small, ["ls", "LAST"], bounded)).stdout.split("\n").filter((l) => l !== "")).toHaveLength(1 + DIRS + DIRS * FILES);
  // The bound was in force: some tree was read more than once.
  expect(reread).toBeGreaterThan(1);
});
