/**
 * Seeded source trees for concurrency tests and the stress script: files of incompressible bytes
 * that depend on seeds alone, so trees written with a common `sharedSeed` hold identical files
 * (their backups dedupe against each other), and `changeSeededTree` edits one for a later round.
 */
import fs from "node:fs";
import path from "node:path";
import { prng, randomBytes } from "./random.ts";

export interface TreeShape {
  /** Seed of the files only this tree has. */
  readonly seed: number;
  /** How many files only this tree has. */
  readonly own: number;
  /** Seed of the files this tree shares with every tree of the same sharedSeed (none when undefined). */
  readonly sharedSeed?: number;
  readonly shared?: number;
  /** Largest file size in bytes (sizes are seeded, between 1 byte and this). */
  readonly maxSize: number;
}

/** Writes a tree of `shape` at `dir` (made if missing) and returns `dir`. */
export function writeSeededTree(dir: string, shape: TreeShape): string {
  fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
  const write = (name: string, seed: number): void => {
    const size = 1 + (prng(seed)() % shape.maxSize);
    fs.writeFileSync(path.join(dir, name), randomBytes(seed, size));
  };
  for (let i = 0; i < shape.own; i++) write(i % 2 === 0 ? `own-${i}` : `sub/own-${i}`, shape.seed * 1000 + i);
  if (shape.sharedSeed !== undefined) for (let i = 0; i < (shape.shared ?? 0); i++) write(`sub/shared-${i}`, shape.sharedSeed * 1000 + 500 + i);
  return dir;
}

/** Edits the tree at `dir` as `seed` says: rewrites one file, deletes another, adds a new one. */
export function changeSeededTree(dir: string, seed: number, maxSize: number): void {
  const next = prng(seed);
  const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  if (files.length > 0) fs.writeFileSync(path.join(dir, files[next() % files.length]!), randomBytes(next(), 1 + (next() % maxSize)));
  if (files.length > 2) fs.rmSync(path.join(dir, files[next() % files.length]!), { force: true });
  fs.writeFileSync(path.join(dir, `new-${seed}`), randomBytes(next(), 1 + (next() % maxSize)));
}
