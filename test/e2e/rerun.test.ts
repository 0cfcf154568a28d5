/** Rerunning a command that was killed completes it: forget of snapshots already gone. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, errorReport, fails, listedSnapshots, ok, setup } from "./harness.ts";

cleanUpAfterThisFile();

test("a rerun forget of snapshots already removed succeeds, but a prefix that matches nothing is still an error", () => {
  const { work, repo } = setup("rerun-forget");
  const file = path.join(work, "data", "f.txt");
  fs.mkdirSync(path.dirname(file));
  for (const text of ["one", "two", "three"]) {
    fs.writeFileSync(file, text);
    ok(cli(work, repo, ["backup", path.dirname(file)]));
  }
  const [a, b, c] = listedSnapshots(work, repo) as [string, string, string];
  // As a `forget A B` killed after deleting A leaves it.
  ok(cli(work, repo, ["forget", a]));

  const rerun = ok(cli(work, repo, ["forget", a, b]));
  expect(rerun.stderr).toMatch(new RegExp(`INFO .*Snapshot ${a} is already removed`));
  expect(rerun.stdout).toBe(`Forgetting ${b}\n`);
  expect(listedSnapshots(work, repo)).toEqual([c]);

  expect(errorReport(fails(cli(work, repo, ["forget", a.slice(0, 8)])))).toContain(`No snapshots start with ${a.slice(0, 8)}`);
  expect(listedSnapshots(work, repo)).toEqual([c]);
});
