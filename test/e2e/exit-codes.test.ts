/**
 * Every exit status the README and `--help` promise, from runs of the binary: 0 success, 1 failure,
 * 2 usage error, 3 a backup that left out a file it couldn't read, 10 no repository (and only
 * then: a missing source path, config file or snapshot is 1 or 2), 11 a repository locked by
 * another command, 130, 143 and 129 on SIGINT, SIGTERM and SIGHUP. With --json the error is also
 * the last line of stderr, as an exit_error message carrying the same status.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { heldBackup, locksIn, stderrUntil, stopRunsAfterEach } from "./concurrency-helpers.ts";
import { cleanUpAfterThisFile, cli, ok, run, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();
stopRunsAfterEach();

/** A directory with one small file, to back up. */
function source(label: string): string {
  const dir = tempDir(label);
  fs.writeFileSync(path.join(dir, "a.txt"), "exit codes\n");
  return dir;
}

test("0 on success, 1 on failure, 2 on a usage error", () => {
  const { work, repo } = setup("exit-basic");
  expect(cli(work, repo, ["backup", source("exit-basic-src")]).code).toBe(0);
  expect(cli(work, repo, ["snapshots"]).code).toBe(0);
  // A snapshot that isn't there is a failure, not a missing repository.
  expect(cli(work, repo, ["restore", "-o", tempDir("exit-basic-out"), "zzzzzz"]).code).toBe(1);
  expect(cli(work, repo, ["backup", "--no-such-option", "x"]).code).toBe(2);
  expect(cli(work, repo, ["forget"]).code).toBe(2);
  expect(run(["no-such-command"]).code).toBe(2);
});

test("10 when there is no repository: a missing path, a directory without config.toml, the default one not made yet", () => {
  const missing = path.join(tempDir("exit-norepo"), "nothing-here");
  const empty = tempDir("exit-norepo-empty");
  const work = tempDir("exit-norepo-work");
  expect(cli(work, missing, ["snapshots"]).code).toBe(10);
  expect(cli(work, missing, ["check"]).code).toBe(10);
  expect(cli(work, empty, ["ls", "LAST"]).code).toBe(10);
  expect(run(["--config", "", "snapshots"]).code).toBe(10);
  expect(run(["--config", "", "usage"], { env: { BACKPAK_REPOSITORY: missing } }).code).toBe(10);
  // copy's destination is a repository too.
  const { work: w, repo } = setup("exit-norepo-copy");
  ok(cli(w, repo, ["backup", source("exit-norepo-src")]));
  expect(cli(w, repo, ["copy", "--to", missing, "--all"]).code).toBe(10);
});

test("other things missing are not 10: a source path (1), a -C directory (1), a --config file (2)", () => {
  const { work, repo } = setup("exit-not10");
  const gone = path.join(tempDir("exit-not10-gone"), "gone");
  expect(cli(work, repo, ["backup", gone]).code).toBe(1);
  expect(run(["-C", gone, "--config", "", "-r", repo, "snapshots"]).code).toBe(1);
  expect(run(["--config", path.join(work, "missing.toml"), "-r", repo, "snapshots"]).code).toBe(2);
  expect(fs.existsSync(gone)).toBe(false);
});

test("with --json a failure's last stderr line is an exit_error message with the same status", () => {
  const missing = path.join(tempDir("exit-json"), "nothing-here");
  const r = run(["--config", "", "-r", missing, "snapshots", "--json"]);
  expect(r.code).toBe(10);
  expect(r.stdout).toBe("");
  const last = JSON.parse(r.stderr.trimEnd().split("\n").at(-1)!);
  expect(last).toMatchObject({ message_type: "exit_error", code: 10 });
  expect(last.message).toContain(`Couldn't open repository ${missing}`);
  expect(r.stderr).toContain(`Error: Couldn't open repository ${missing}`);
  const { work, repo } = setup("exit-json-usage");
  const usage = cli(work, repo, ["forget", "--json", "--keep-last", "0"]);
  expect(usage.code).toBe(2);
  expect(JSON.parse(usage.stderr.trimEnd().split("\n").at(-1)!)).toMatchObject({ message_type: "exit_error", code: 2 });
});

test("3 when backup stores its snapshot without a file that vanished while it was read", () => {
  const { work, repo } = setup("exit-partial");
  const dir = tempDir("exit-partial-src");
  const file = path.join(dir, "vanishing.bin");
  // Two 4 MiB read blocks: the hook deletes the file after the first, on every attempt.
  fs.writeFileSync(file, randomBytes(33, 6 << 20));
  fs.writeFileSync(path.join(dir, "steady.txt"), "steady");
  const hook = { file, block: 1, attempts: 5, run: ["sh", "-c", 'rm -f "$F"'] };
  const r = cli(work, repo, ["backup", dir], { env: { BACKPAK_READ_HOOK: JSON.stringify(hook), F: file } });
  expect(r.code).toBe(3);
  expect(r.stdout).toMatch(/Snaphsot [0-9a-v]+ done/);
  expect(ok(cli(work, repo, ["ls", "LAST"])).stdout).toContain("steady.txt");
});

test("11 when another command holds the lock; 143, 130 and 129 when SIGTERM, SIGINT or SIGHUP stops a run", async () => {
  const { work, repo } = setup("exit-locked");
  const src = tempDir("exit-locked-src");
  fs.writeFileSync(path.join(src, "big.bin"), randomBytes(34, 1 << 20));
  const never = path.join(tempDir("exit-locked-release"), "never");
  for (const [signal, status] of [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]] as const) {
    const backup = heldBackup(tempDir("exit-locked-work"), repo, src, never);
    // The backup says (at -vvv) when it holds its lock; it then waits for `never`.
    const { finished } = await stderrUntil(backup, `Locked ${repo} (`);
    expect(cli(work, repo, ["prune"]).code).toBe(11);
    backup.kill(signal);
    const { code, stderr } = await finished;
    expect(code).toBe(status);
    expect(stderr).toContain(`Interrupted by ${signal}`);
    expect(locksIn(repo)).toEqual([]);
  }
});

test("--help lists the exit statuses", () => {
  const help = ok(run(["--help"])).stdout;
  expect(help).toContain("Exit status:");
  for (const code of ["0", "1", "2", "3", "10", "11", "130"]) expect(help).toMatch(new RegExp(`\\n  ${code} +\\S`));
});
