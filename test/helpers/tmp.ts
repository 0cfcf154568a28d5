/** Temporary directories for tests: every file that makes them calls cleanUpAfterThisFile(), which removes them when it finishes. */
import { afterAll } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const made: string[] = [];
const removeAll = (): void => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
};
// A fallback for scripts outside `bun test`, which doesn't run exit hooks for the files it runs.
process.on("exit", removeAll);

/** A fresh empty directory under the system temp dir (realpath'd, so paths compare exactly). */
export function tempDir(label = "t"): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `backpak-${label}-`)));
  made.push(d);
  return d;
}

/** Call at the top of every test file that makes temporary directories: they are removed when the file finishes. */
export function cleanUpAfterThisFile(): void {
  afterAll(removeAll);
}
