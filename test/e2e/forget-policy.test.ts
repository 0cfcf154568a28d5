/** `forget --keep-*`: a retention policy over two path groups (of one author, the host), reported with -n, then applied; and its usage errors. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { backupNew, twoDirs } from "./new-snapshots.ts";
import { cleanUpAfterThisFile, cli, errorReport, fails, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const short = (id: string): string => id.slice(0, 8);

test("forget with a retention policy keeps what the rules select, per group of author and paths", () => {
  const { work, repo } = setup("policy");
  const { a, b } = twoDirs("policy");
  /** Backs up `dir` at `time` and returns the new snapshot's ID. */
  const backup = (dir: string, time: string): string => backupNew(work, repo, ["--time", time, "--allow-repeat", dir]);
  const a1 = backup(a, "2024-05-01T10:00:00Z");
  const b1 = backup(b, "2024-05-01T12:00:00Z");
  const a2 = backup(a, "2024-05-02T09:00:00Z");
  const a3 = backup(a, "2024-05-02T18:00:00Z");
  const a4 = backup(a, "2024-05-03T08:00:00Z");
  const a5 = backup(a, "2024-05-03T20:00:00Z");
  const b2 = backup(b, "2024-05-04T12:00:00Z");
  const all = [a1, a2, a3, a4, a5, b1, b2].sort();

  const report = [
    `Snapshots of ${a} by ${os.hostname()}:`,
    `keep   ${short(a5)}  2024-05-03 20:00:00 UTC  (last snapshot, daily snapshot)`,
    `remove ${short(a4)}  2024-05-03 08:00:00 UTC`,
    `keep   ${short(a3)}  2024-05-02 18:00:00 UTC  (daily snapshot)`,
    `remove ${short(a2)}  2024-05-02 09:00:00 UTC`,
    `remove ${short(a1)}  2024-05-01 10:00:00 UTC`,
    "",
    `Snapshots of ${b} by ${os.hostname()}:`,
    `keep   ${short(b2)}  2024-05-04 12:00:00 UTC  (last snapshot, daily snapshot)`,
    `keep   ${short(b1)}  2024-05-01 12:00:00 UTC  (daily snapshot)`,
  ];
  const reportOf = (stdout: string): string[] => {
    const lines = stdout.trimEnd().split("\n");
    const start = lines.indexOf(report[0]!);
    return lines.slice(start, start + report.length);
  };
  const removed = [a4, a2, a1];

  const dry = ok(cli(work, repo, ["forget", "-n", "--keep-daily", "2", "--keep-last", "1"]));
  expect(reportOf(dry.stdout)).toEqual(report);
  expect(dry.stdout.split("\n").filter((l) => l.startsWith("Would remove "))).toEqual(removed.map((id) => `Would remove ${id}`));
  expect(dry.stdout).not.toContain("Forgetting");
  expect(objectIds(repo, "snapshots")).toEqual(all);

  const real = ok(cli(work, repo, ["forget", "--keep-daily", "2", "--keep-last", "1"]));
  expect(reportOf(real.stdout)).toEqual(report);
  expect(real.stdout.split("\n").filter((l) => l.startsWith("Forgetting "))).toEqual(removed.map((id) => `Forgetting ${id}`));
  expect(objectIds(repo, "snapshots")).toEqual([a3, a5, b1, b2].sort());

  // Applying the same policy again finds nothing more to forget.
  const again = ok(cli(work, repo, ["forget", "--keep-daily", "2", "--keep-last", "1"]));
  expect(again.stdout).not.toContain("remove ");
  expect(objectIds(repo, "snapshots")).toEqual([a3, a5, b1, b2].sort());

  // --keep-tag and --keep-within are options too: nothing here is tagged, and 1d reaches back to a5's day only.
  const within = ok(cli(work, repo, ["forget", "-n", "--keep-within", "1d", "--keep-tag", "none"]));
  expect(within.stdout).toContain(`keep   ${short(a5)}  2024-05-03 20:00:00 UTC  (within 1d)`);
  expect(within.stdout).toContain(`remove ${short(a3)}  2024-05-02 18:00:00 UTC`);
  expect(objectIds(repo, "snapshots")).toEqual([a3, a5, b1, b2].sort());
});

test("forget refuses missing, mixed and malformed rules, forgetting nothing", () => {
  const { work, repo } = setup("policy-errors");
  const data = tempDir("policy-errors-data");
  fs.writeFileSync(path.join(data, "f.txt"), "x");
  ok(cli(work, repo, ["backup", "--time", "2024-05-01T10:00:00Z", data]));
  ok(cli(work, repo, ["backup", "--time", "2024-05-02T10:00:00Z", "--allow-repeat", data]));
  const before = objectIds(repo, "snapshots");
  expect(before.length).toBe(2);

  const err = (args: string[]): string => errorReport(fails(cli(work, repo, ["forget", ...args])));
  expect(err([])).toContain("Give the snapshots to forget, or a retention policy with --keep-* options");
  expect(err(["-n"])).toContain("Give the snapshots to forget, or a retention policy with --keep-* options");
  expect(err(["LAST", "--keep-last", "1"])).toContain("Give either snapshots to forget or --keep-* options, not both");
  expect(err(["DUPLICATES", "--keep-tag", "x"])).toContain("not both");
  expect(err(["--keep-daily", "0"])).toContain('--keep-daily needs a positive whole number, not "0"');
  expect(err(["--keep-daily", "abc"])).toContain('--keep-daily needs a positive whole number, not "abc"');
  expect(err(["--keep-last", "-1"])).toContain("--keep-last");
  expect(err(["--keep-within", "2x"])).toContain('Invalid duration "2x"');
  expect(err(["--keep-within", "1d1d"])).toContain("unit 'd' is given twice");
  expect(objectIds(repo, "snapshots")).toEqual(before);

  const help = ok(cli(work, repo, ["forget", "--help"])).stdout;
  for (const o of ["--keep-last <N>", "--keep-daily <N>", "--keep-within <DURATION>", "--keep-tag <TAG>", "[SNAPSHOTS]..."]) expect(help).toContain(o);
});
