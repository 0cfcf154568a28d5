/** Temporary directories for tests, removed when the test file finishes. */
import { afterAll } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh empty directory under the system temp dir (realpath'd, so paths compare exactly). */
export function tempDir(label = "t"): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `backpak-${label}-`)));
  made.push(d);
  return d;
}
