/** For tests of the bounded tree cache: a tree whose trees take several MiB decoded, and how often each tree was decoded. */
import fs from "node:fs";
import path from "node:path";

export const DIRS = 80;
export const FILES = 100;

/** Writes DIRS directories of FILES small files each under `src`. */
export function writeWideTree(src: string): void {
  for (let d = 0; d < DIRS; d++) {
    const dir = path.join(src, `dir-${String(d).padStart(3, "0")}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES; f++) fs.writeFileSync(path.join(dir, `file-${String(f).padStart(4, "0")}`), `${d}/${f}\n`);
  }
}

/** How often each tree was decoded, by tree, from a command's debug log. */
export function treeReads(stderr: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of stderr.matchAll(/Decoding tree ([0-9a-v]+)/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
}

/** The most times any one tree was decoded. */
export const mostReads = (stderr: string): number => Math.max(...treeReads(stderr).values());
