/** Paths to the golden data in test/vectors (copies of other projects' files, never edited). */
import fs from "node:fs";
import path from "node:path";

export const VECTORS = path.resolve(import.meta.dir, "vectors");

/** Reads a vector file; a missing file fails the test that asked for it. */
export function readVector(rel: string): Uint8Array {
  const p = path.join(VECTORS, rel);
  if (!fs.existsSync(p)) throw new Error(`test vector ${p} is missing: see test/vectors/README.md`);
  return new Uint8Array(fs.readFileSync(p));
}
