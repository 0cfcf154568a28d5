/** What backup and restore report as they go and when they end: totals, percentages, the backup summary, restore --quiet. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, cliInTerminal, contentsOf, lines, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** A directory of three files, 3000 bytes in all. */
function threeFiles(label: string): string {
  const dir = path.join(tempDir(label), "data");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "a.bin"), Buffer.alloc(1500, 1));
  fs.writeFileSync(path.join(dir, "b.bin"), Buffer.alloc(1000, 2));
  fs.writeFileSync(path.join(dir, "c.bin"), Buffer.alloc(500, 3));
  return dir;
}

/** The last line of terminal output that `start` matches (the final state of a progress block), without cursor movements. */
function lastLine(output: string, start: RegExp): string {
  const found = output.split("\n").map((l) => l.replace(/^\x1b\[\d+A\x1b\[J/, "")).filter((l) => start.test(l));
  expect(found.length).toBeGreaterThan(0);
  return found[found.length - 1]!;
}

test("a backup ends with a summary of files new, changed and unmodified, bytes read and added, then the snapshot line", () => {
  const { work, repo } = setup("summary");
  const dir = threeFiles("summary-data");
  const first = ok(cli(work, repo, ["backup", dir]));
  const out = first.stdout.split("\n");
  expect(out.slice(0, 3).map((l) => l.replace(/ in \d+:\d\d$/, " in T"))).toEqual([
    "Files: 3 new, 0 changed, 0 unmodified",
    "Read 3 KB of 3 KB in T",
    expect.stringMatching(/^Added to the repository: \d+ KB \(\d+ B stored\)$/) as unknown as string,
  ]);
  expect(out.slice(3)).toEqual(["", expect.stringMatching(/^Snaphsot [0-9a-v]{8} done$/) as unknown as string, ""]);
  // A quick run off a terminal draws no progress at all.
  expect(first.stderr.split("\n").filter((l) => l.startsWith("T "))).toEqual([]);

  fs.writeFileSync(path.join(dir, "a.bin"), Buffer.alloc(1600, 4));
  fs.writeFileSync(path.join(dir, "d.bin"), "new");
  const second = lines(ok(cli(work, repo, ["backup", dir])).stdout);
  expect(second[0]).toBe("Files: 1 new, 1 changed, 2 unmodified");
  expect(second[1]).toMatch(/^Read 2 KB of 3 KB in \d+:\d\d$/);
  expect(second[second.length - 1]).toMatch(/^Snaphsot [0-9a-v]{8} done$/);

  expect(lines(ok(cli(work, repo, ["backup", dir])).stdout)[0]).toBe("Files: 0 new, 0 changed, 4 unmodified");
});

test("on a terminal, backup progress counts against the pre-flight walk's totals, and restore's against what it writes", () => {
  const { work, repo } = setup("totals");
  const dir = threeFiles("totals-data");
  const backup = cliInTerminal(work, repo, ["backup", dir]);
  expect(backup.code).toBe(0);
  expect(lastLine(backup.output, /^T /)).toMatch(/^T 3 KB of 3 KB \(100%\), 3 of 3 files, read at .*, ETA 0:00$/);

  const into = tempDir("totals-restored");
  const restore = cliInTerminal(work, repo, ["restore", "-o", into, "LAST"]);
  expect(restore.code).toBe(0);
  expect(lastLine(restore.output, /^[|/\\-] \d+ of /)).toMatch(/^. 3 of 3 files, 3 KB of 3 KB written \(100%\) at .*, ETA 0:00$/);
  expect(contentsOf(into)).toEqual(contentsOf(dir));
});

test("restore --quiet makes the changes without listing them", () => {
  const { work, repo } = setup("quiet");
  const dir = threeFiles("quiet-data");
  ok(cli(work, repo, ["backup", dir]));
  const into = tempDir("quiet-restored");
  const listed = ok(cli(work, repo, ["restore", "-n", "-o", into, "LAST"]));
  expect(lines(listed.stdout)).toContain(`+ ${path.join(into, "a.bin")}`);
  const quiet = ok(cli(work, repo, ["restore", "--quiet", "-o", into, "LAST"]));
  expect(quiet.stdout).toBe("");
  expect(contentsOf(into)).toEqual(contentsOf(dir));
  fs.rmSync(path.join(into, "b.bin"));
  expect(ok(cli(work, repo, ["restore", "-q", "-o", into, "LAST"])).stdout).toBe("");
  expect(contentsOf(into)).toEqual(contentsOf(dir));
});
