/** Port of backpak's tests/diff.rs: `diff --metadata LAST` against the filesystem after a series of edits. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pinTime, writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, lines, ok, setup, withoutAtime } from "./harness.ts";

cleanUpAfterThisFile();

const BACKEND = ["backblaze.rs", "cache.rs", "filter.rs", "fs.rs", "memory.rs", "semaphored.rs"];

test("diff_src", () => {
  const { work, repo } = setup("diff");
  const src = writeSrcTree(work);
  ok(cli(work, repo, ["backup", src]));
  // diff prints nothing but its changes on stdout, so no lines are skipped.
  const compare = (expected: readonly string[]): void => {
    expect(withoutAtime(lines(ok(cli(work, repo, ["diff", "--metadata", "LAST"])).stdout))).toEqual([...expected]);
  };

  compare([]);

  // Added, removed, moved, modified, permissions.
  fs.rmSync(path.join(src, "diff.rs"));
  fs.writeFileSync(path.join(src, "aNewFile"), "");
  fs.renameSync(path.join(src, "backend"), path.join(src, "wackend"));
  fs.writeFileSync(path.join(src, "lib.rs"), "I want some butts!");
  fs.chmodSync(path.join(src, "main.rs"), 0o777);
  compare([
    "+ src/aNewFile",
    "- src/backend/",
    ...BACKEND.map((f) => `- src/backend/${f}`),
    "- src/diff.rs",
    "C src/lib.rs",
    "P src/main.rs",
    "+ src/wackend/",
    ...BACKEND.map((f) => `+ src/wackend/${f}`),
    "T src/",
  ]);

  // Wipe the slate, with src/'s time set back so the next change to it shows for sure.
  pinTime(src);
  ok(cli(work, repo, ["backup", src]));
  compare([]);

  // Changed type.
  fs.rmSync(path.join(src, "ls.rs"));
  fs.symlinkSync("/dev/null", path.join(src, "ls.rs"));
  compare(["- src/ls.rs", "+ src/ls.rs -> /dev/null", "T src/"]);

  pinTime(path.join(src, "ls.rs"));
  pinTime(src);
  ok(cli(work, repo, ["backup", src]));

  // A retargeted symlink is -/+, not a metadata change.
  fs.rmSync(path.join(src, "ls.rs"));
  fs.symlinkSync("/dev/urandom", path.join(src, "ls.rs"));
  compare(["- src/ls.rs -> /dev/null", "+ src/ls.rs -> /dev/urandom", "T src/"]);

  // Two snapshots, older first: src/ had the same pinned time in both, so only the type change shows.
  const twoSnapshots = withoutAtime(lines(ok(cli(work, repo, ["diff", "--metadata", "LAST~1", "LAST"])).stdout));
  expect(twoSnapshots).toEqual(["- src/ls.rs", "+ src/ls.rs -> /dev/null"]);
});
