/** For tests of the bounded tree cache: a tree whose trees take several MiB decoded, backed up, and how often each tree was decoded. */
import fs from "node:fs";
import path from "node:path";
import { cli, ok, setup } from "./harness.ts";

export const DIRS = 80;
export const FILES = 100;

/** Writes DIRS directories of FILES small files each under `src`. */
function writeWideTree(src: string): void {
  for (let d = 0; d < DIRS; d++) {
    const dir = path.join(src, `dir-${String(d).padStart(3, "0")}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES; f++) fs.writeFileSync(path.join(dir, `file-${String(f).padStart(4, "0")}`), `${d}/${f}\n`);
  }
}

/** Options that run a command with a 1 MiB tree cache, which the wide tree's trees don't fit in. */
export const BOUNDED = { env: { BACKPAK_TREE_CACHE_MIB: "1" } };

/** A new repository holding one backup of a wide tree at `<work>/src`. */
export function backedUpWideTree(label: string): { work: string; repo: string; src: string } {
  const { work, repo } = setup(label);
  const src = path.join(work, "src");
  writeWideTree(src);
  ok(cli(work, repo, ["backup", src]));
  return { work, repo, src };
}

/** Changes file-0007 in the directories numbered `dirs`, making it longer. */
export function changeFiles(src: string, dirs: readonly number[]): void {
  for (const d of dirs) fs.writeFileSync(path.join(src, `dir-${String(d).padStart(3, "0")}`, "file-0007"), "changed, longer\n");
}

/** How often each tree was decoded, by tree, from a command's debug log. */
export function treeReads(stderr: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of stderr.matchAll(/Decoding tree ([0-9a-v]+)/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
}

/** The most times any one tree was decoded. */
export const mostReads = (stderr: string): number => Math.max(...treeReads(stderr).values());
