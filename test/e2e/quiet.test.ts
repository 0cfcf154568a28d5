/**
 * `-q/--quiet` on every command that reports: results on stdout as without it, nothing else (no
 * info lines, no progress, even on a terminal), while errors still show. `backup -q` has its own
 * test (backup-quiet.test.ts).
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, objectIds, ok, run, runInTerminal, setup, tempDir, type RunOptions } from "./harness.ts";

cleanUpAfterThisFile();

/** A repository with two snapshots of a small tree (the first forgotten-able, its file gone from the second). */
function repository(): { repo: string; dir: string; base: string[] } {
  const { work, repo } = setup("quiet-all");
  const dir = tempDir("quiet-all-src");
  fs.writeFileSync(path.join(dir, "a.bin"), randomBytes(90, 200_000));
  const base = ["-C", work, "--config", "", "-r", repo];
  ok(run([...base, "backup", "-q", dir]));
  fs.writeFileSync(path.join(dir, "b.bin"), randomBytes(91, 200_000));
  fs.rmSync(path.join(dir, "a.bin"));
  ok(run([...base, "backup", "-q", dir]));
  return { repo, dir, base };
}

test("-q keeps each command's results on stdout and leaves stderr empty", () => {
  const { dir, base } = repository();
  const out = tempDir("quiet-all-out");
  const commands: string[][] = [
    ["snapshots"],
    ["snapshots", "--sizes"],
    ["ls", "LAST"],
    ["diff", "LAST~", "LAST"],
    ["usage"],
    ["check"],
    ["check", "--read-packs"],
    ["restore", "-o", out, "LAST"],
    ["forget", "-n", "--keep-last", "1"],
    ["prune", "-n"],
  ];
  for (const args of commands) {
    const loud = ok(run([...base, ...args]));
    const quiet = ok(run([...base, ...args, "-q"]));
    expect({ args, stderr: quiet.stderr }).toEqual({ args, stderr: "" });
    // restore -q doesn't list its changes (there are none left to make on the second run anyway).
    if (args[0] !== "restore") expect({ args, stdout: quiet.stdout }).toEqual({ args, stdout: loud.stdout });
  }
  // Without -q these commands say what they do on stderr.
  for (const args of [["snapshots"], ["usage"], ["check"], ["prune", "-n"]]) expect(ok(run([...base, ...args])).stderr).not.toBe("");
  expect(fs.readdirSync(out)).toEqual(fs.readdirSync(dir));
});

test("-q shows no progress on a terminal, and errors still show", () => {
  const { repo, base } = repository();
  const opts: RunOptions = { env: { BACKPAK_WORKERS: "1" } };
  const out = tempDir("quiet-tty-out");
  const loud = runInTerminal([...base, "restore", "-o", out, "LAST"], opts);
  expect(loud.code).toBe(0);
  expect(loud.output).toMatch(/ 1 of 1 files, /);
  fs.rmSync(out, { recursive: true });
  const quiet = runInTerminal([...base, "restore", "-q", "-o", out, "LAST"], opts);
  expect(quiet).toEqual({ code: 0, output: "" });
  const checked = runInTerminal([...base, "check", "-q", "--read-packs"], opts);
  expect(checked).toEqual({ code: 0, output: "" });

  fs.rmSync(path.join(repo, "packs", `${objectIds(repo, "packs")[0]}.pack`));
  const broken = run([...base, "check", "-q"]);
  expect(broken.code).toBe(1);
  expect(broken.stdout).toBe("");
  expect(broken.stderr).toContain("Couldn't find pack");
  expect(broken.stderr).toContain("Error: Check failed!");
});
