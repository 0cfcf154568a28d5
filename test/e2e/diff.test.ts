/** Port of backpak's tests/diff.rs: `diff --metadata LAST` against the filesystem after a series of edits. */
import { expect, test } from "bun:test";
import path from "node:path";
import { BACKEND_FILES, editSrcTree, pinTime, replaceWithSymlink, writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, lines, ok, setup, withoutAtime } from "./harness.ts";

cleanUpAfterThisFile();


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
  editSrcTree(src);
  compare([
    "+ src/aNewFile",
    "- src/backend/",
    ...BACKEND_FILES.map((f) => `- src/backend/${f}`),
    "- src/diff.rs",
    "C src/lib.rs",
    "P src/main.rs",
    "+ src/wackend/",
    ...BACKEND_FILES.map((f) => `+ src/wackend/${f}`),
    "T src/",
  ]);

  // Wipe the slate, with src/'s time set back so the next change to it shows for sure.
  pinTime(src);
  ok(cli(work, repo, ["backup", src]));
  compare([]);

  // Changed type.
  replaceWithSymlink(src, "ls.rs", "/dev/null");
  compare(["- src/ls.rs", "+ src/ls.rs -> /dev/null", "T src/"]);

  pinTime(path.join(src, "ls.rs"));
  pinTime(src);
  ok(cli(work, repo, ["backup", src]));

  // A retargeted symlink is -/+, not a metadata change.
  replaceWithSymlink(src, "ls.rs", "/dev/urandom");
  compare(["- src/ls.rs -> /dev/null", "+ src/ls.rs -> /dev/urandom", "T src/"]);

  // Two snapshots, older first: src/ had the same pinned time in both, so only the type change shows.
  const twoSnapshots = withoutAtime(lines(ok(cli(work, repo, ["diff", "--metadata", "LAST~1", "LAST"])).stdout));
  expect(twoSnapshots).toEqual(["- src/ls.rs", "+ src/ls.rs -> /dev/null"]);
});
