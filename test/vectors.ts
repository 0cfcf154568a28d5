/** Paths to the external golden data in ../shared/vectors (used in place, never copied or edited). */
import fs from "node:fs";
import path from "node:path";

export const VECTORS = path.resolve(import.meta.dir, "../../shared/vectors");

/** Reads a vector file; a missing file fails the test that asked for it. */
export function readVector(rel: string): Uint8Array {
  const p = path.join(VECTORS, rel);
  if (!fs.existsSync(p)) throw new Error(`test vector ${p} is missing: the tests need ../shared/vectors`);
  return new Uint8Array(fs.readFileSync(p));
}
