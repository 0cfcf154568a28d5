/** Temporary directories for tests: removed when the test process exits, or earlier per file with cleanUpAfterThisFile(). */
import { afterAll } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const made: string[] = [];
const removeAll = (): void => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
};
// `bun test` runs every file in one process and loads this module once, so the exit hook catches all.
process.on("exit", removeAll);

/** A fresh empty directory under the system temp dir (realpath'd, so paths compare exactly). */
export function tempDir(label = "t"): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `backpak-${label}-`)));
  made.push(d);
  return d;
}

/** Call at the top of a test file that makes large trees, to free them as soon as the file finishes. */
export function cleanUpAfterThisFile(): void {
  afterAll(removeAll);
}
