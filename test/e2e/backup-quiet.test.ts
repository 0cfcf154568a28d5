/** `backup -q`, as a cron job runs it: only the snapshot's ID line on stdout, nothing on stderr, and the snapshot stored. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, listedSnapshots, ok, run, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("backup -q prints only 'Snaphsot <id> done', and errors still show", () => {
  const { work, repo } = setup("quiet-backup");
  const data = tempDir("quiet-backup-data");
  fs.writeFileSync(path.join(data, "a.txt"), "quiet\n");
  const r = ok(run(["-C", work, "--config", "", "-r", repo, "backup", "-q", data]));
  expect(r.stderr).toBe("");
  expect(r.stdout).toMatch(/^Snaphsot [0-9a-z]{8,} done\n$/);
  expect(listedSnapshots(work, repo)).toHaveLength(1);
  // Without -q the same run shows its INFO lines and summary.
  const loud = ok(run(["-C", work, "--config", "", "-r", repo, "backup", "--allow-repeat", data]));
  expect(loud.stdout).toContain("Files: 0 new, 0 changed, 1 unmodified");
  expect(loud.stderr).not.toBe("");
  const warned = run(["-C", work, "--config", "", "-r", repo, "backup", "-q", "--skip", "(", data]);
  expect(warned.code).not.toBe(0);
  expect(warned.stderr).not.toBe("");
});
