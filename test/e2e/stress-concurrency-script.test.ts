/** The concurrency stress script (scripts/stress-concurrency.ts) runs one small round here, so it keeps working and its small count runs in CI. */
import { expect, test } from "bun:test";
import path from "node:path";
import { REPO_ROOT, cleanUpAfterThisFile } from "./harness.ts";

cleanUpAfterThisFile();

test("stress-concurrency: two writers, a forget and a prune for two rounds, every snapshot restored byte for byte", () => {
  const r = Bun.spawnSync({ cmd: [process.execPath, path.join("scripts", "stress-concurrency.ts"), "--writers", "2", "--rounds", "2", "--seed", "1"], cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  const out = r.stdout.toString();
  // Each round: 2 backups, a forget and a prune; then init, check, snapshots and 4 restores.
  expect(out).toMatch(/^2 writers, 2 rounds, seed 1: 15 runs made \(\d+ waited for a lock\), 4 snapshots restored byte for byte, 0 failures$/m);
  expect({ code: r.exitCode, stderr: r.stderr.toString() }).toEqual({ code: 0, stderr: "" });
});
