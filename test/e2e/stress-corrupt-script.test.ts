/** The seeded corruption campaign (scripts/stress-corrupt.ts) runs a few rounds here, so the script keeps working and its small count runs in CI. */
import { expect, test } from "bun:test";
import path from "node:path";
import { REPO_ROOT, cleanUpAfterThisFile } from "./harness.ts";

cleanUpAfterThisFile();

test("stress-corrupt: five seeded rounds, each corruption named by check, no restore writing a wrong byte", () => {
  const r = Bun.spawnSync({ cmd: [process.execPath, path.join("scripts", "stress-corrupt.ts"), "--rounds", "5", "--seed", "1"], cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  const out = r.stdout.toString();
  expect(out).toContain("5 corruptions made; 5 detected by check --read-packs naming the object; 0 config.toml changes that kept its meaning; 0 that made other valid settings");
  expect(out).toContain("; 0 failures\n");
  expect(out).toMatch(/check without --read-packs named (\d+) of the \1 damaged objects it reads/);
  expect({ code: r.exitCode, stderr: r.stderr.toString() }).toEqual({ code: 0, stderr: "" });
});
