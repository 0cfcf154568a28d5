/** stdout carries results only and logs go to stderr, each line once; a reader that stops early ends the run quietly. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BIN, cleanUpAfterThisFile, cli, ok, run, runInTerminal, sandboxEnv, setup, tempDir, type RunResult } from "./harness.ts";

cleanUpAfterThisFile();

test("-v shows each INFO line once on a terminal", () => {
  const repo = path.join(tempDir("once"), "repo");
  const t = runInTerminal(["--config", "", "-v", "-c", "never", "-r", repo, "init", "filesystem"]);
  expect(t.code).toBe(0);
  expect(t.output.split("\n").filter((l) => l.includes("Initialized a filesystem repository"))).toEqual([` INFO Initialized a filesystem repository at ${repo}`]);
});

/** Asserts that stdout holds no log line, neither tagged with a level nor one of the INFO messages. */
function resultsOnly(r: RunResult): string {
  ok(r);
  expect(r.stdout).not.toMatch(/^\s*(ERROR|WARN|INFO|DEBUG|TRACE) /m);
  expect(r.stdout).not.toMatch(/Opening repository|Building a master index|Walking|Running backup|Finding a parent|Comparing snapshot|Restoring snapshot|Listing files|Printing |complete|Reading the manifests|Copying snapshot|Initialized/);
  return r.stdout;
}

test("every command prints only its results on stdout, even at -vvv", () => {
  const { work, repo } = setup("streams");
  const data = path.join(tempDir("streams-data"), "data");
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, "f.txt"), "one");
  resultsOnly(cli(work, repo, ["backup", data]));
  fs.writeFileSync(path.join(data, "f.txt"), "two");
  resultsOnly(cli(work, repo, ["backup", data]));
  const listing = resultsOnly(cli(work, repo, ["snapshots"])).split("\n");
  expect(listing.filter((l) => l !== "" && !/^(snapshot [0-9a-v]+|Author: .*|Date: {3}.*| {2}- .*)$/.test(l))).toEqual([]);
  expect(listing.filter((l) => l.startsWith("snapshot ")).length).toBe(2);
  expect(resultsOnly(cli(work, repo, ["ls", "LAST"]))).toBe("data/\ndata/f.txt\n");
  expect(resultsOnly(cli(work, repo, ["dump", "LAST", "data/f.txt"]))).toBe("two");
  expect(resultsOnly(cli(work, repo, ["diff", "LAST~1", "LAST"]))).toContain("C data/f.txt");
  const into = tempDir("streams-restored");
  expect(resultsOnly(cli(work, repo, ["restore", "-o", into, "LAST"]))).toBe(`+ ${path.join(into, "f.txt")}\n`);
  expect(resultsOnly(cli(work, repo, ["cat", "snapshot", "LAST"]))).toStartWith("{");
  expect(resultsOnly(cli(work, repo, ["check"]))).toBe("");
  expect(resultsOnly(cli(work, repo, ["usage"]))).toContain("total");
  expect(resultsOnly(cli(work, repo, ["forget", "-n", "LAST~1"]))).toMatch(/^Would remove [0-9a-v]+\n$/);
  expect(resultsOnly(cli(work, repo, ["prune", "-n"]))).toContain("Nothing to do.");
  const other = tempDir("streams-other");
  ok(cli(work, other, ["init", "filesystem"]));
  expect(resultsOnly(cli(work, repo, ["copy", "--to", other, "LAST"]))).toMatch(/^Copied 1 snapshots: [0-9a-v]{8}\n$/);
  expect(resultsOnly(cli(work, repo, ["filter-snapshot", "-k", "-s", "nothing-matches", "LAST"]))).toBe("");
  expect(resultsOnly(cli(work, repo, ["rebuild-index", "-n"]))).toBe("");
});

test("a reader that stops early (`| head -1`) ends the run quietly", () => {
  const { work, repo } = setup("epipe");
  const data = path.join(tempDir("epipe-data"), "data");
  fs.mkdirSync(data);
  // A listing of about 150 KB: far more than a pipe holds once head has gone.
  for (let i = 0; i < 2000; i++) fs.writeFileSync(path.join(data, `file-with-a-rather-long-name-to-fill-the-listing-${String(i).padStart(5, "0")}.txt`), "");
  ok(cli(work, repo, ["backup", data]));
  const head = Bun.spawnSync({ cmd: ["bash", "-o", "pipefail", "-c", `'${BIN}' --config '' -r '${repo}' ls LAST | head -1`], env: sandboxEnv(), stdout: "pipe", stderr: "pipe" });
  expect(head.stdout.toString()).toBe("data/\n");
  expect(head.stderr.toString()).toBe("");
  // As a program SIGPIPE stopped: a failure only to `set -o pipefail`.
  expect(head.exitCode).toBe(141);

  // The same when nobody reads at all: a FIFO whose reading end is already closed.
  const fifo = path.join(tempDir("epipe-fifo"), "fifo");
  expect(Bun.spawnSync({ cmd: ["mkfifo", fifo] }).exitCode).toBe(0);
  const both = fs.openSync(fifo, "r+"); // lets the write-only open below return at once
  const writer = fs.openSync(fifo, "w");
  fs.closeSync(both);
  try {
    const p = Bun.spawnSync({ cmd: [BIN, "--config", "", "-r", repo, "snapshots"], env: sandboxEnv(), stdin: "ignore", stdout: writer, stderr: "pipe" });
    const stderr = p.stderr.toString();
    expect(stderr).not.toContain("EPIPE");
    expect(stderr).not.toContain("Error");
    expect(p.exitCode).toBe(141);
  } finally {
    fs.closeSync(writer);
  }
  expect(run(["--config", "", "-r", repo, "snapshots"]).code).toBe(0);
});
