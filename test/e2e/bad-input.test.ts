/** Backups of paths that are missing or unreadable fail before anything is written. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, EMPTY_REPO, entriesIn, errorReport, fails, ok, setup, tempDir } from "./harness.ts";
import { sharedScratch } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

test("backing up a missing path fails, naming it, and writes nothing", () => {
  const { work, repo } = setup("missing");
  const there = tempDir("missing-data");
  fs.writeFileSync(path.join(there, "f"), "x");
  const gone = path.join(there, "not-here");
  const r = fails(cli(work, repo, ["backup", there, gone]));
  expect(errorReport(r)).toContain(`Couldn't canonicalize ${gone}`);
  expect(entriesIn(work)).toEqual([]);
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
});

// chmod 000 doesn't stop root, so as root the binary runs as nobody (uid 65534) for this test.
test("an unreadable file fails the pre-flight walk, naming it, and writes nothing", () => {
  const { work, repo } = setup("unreadable");
  const dir = tempDir("unreadable-data");
  fs.writeFileSync(path.join(dir, "fine.txt"), "fine");
  const locked = path.join(dir, "locked.txt");
  fs.writeFileSync(locked, "secret");
  for (const d of [work, repo, dir, ...["packs", "indexes", "snapshots", "locks"].map((s) => path.join(repo, s))]) fs.chmodSync(d, 0o777);
  fs.chmodSync(locked, 0o000);
  try {
    const r = fails(cli(work, repo, ["backup", dir], { asUser: 65534, cwd: work, env: { BACKPAK_SCRATCH_DIR: sharedScratch("unreadable-scratch") } }));
    expect(errorReport(r)).toContain(locked);
    expect(errorReport(r)).toContain("Failed FS check prior to backup");
    expect(entriesIn(work)).toEqual([]);
    expect(entriesIn(repo)).toEqual(EMPTY_REPO);
  } finally {
    fs.chmodSync(locked, 0o644);
  }
});

test("a path given twice under the same name is refused", () => {
  const { work, repo } = setup("samename");
  const a = path.join(tempDir("samename-a"), "src");
  const b = path.join(tempDir("samename-b"), "src");
  fs.mkdirSync(a);
  fs.mkdirSync(b);
  fs.writeFileSync(path.join(a, "x"), "x");
  fs.writeFileSync(path.join(b, "y"), "y");
  const r = fails(cli(work, repo, ["backup", a, b]));
  expect(errorReport(r)).toContain("Backups of directories with matching names (src/) isn't currently supported");
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
  ok(cli(work, repo, ["backup", a]));
});
