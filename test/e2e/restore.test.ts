/** Port of backpak's tests/restore.rs: restore after edits prints exactly the changes it makes, then is a no-op. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BACKEND_FILES, editSrcTree, pinTime, replaceWithSymlink, writeLicense, writeReadme, writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, normalize, ok, setup, withoutAtime } from "./harness.ts";

cleanUpAfterThisFile();


/** Runs `restore --delete --times --permissions LAST <args>` and returns its change lines. */
function restorer(work: string, repo: string) {
  const restoreIt = (args: readonly string[]): string[] =>
    withoutAtime(normalize(ok(cli(work, repo, ["restore", "--delete", "--times", "--permissions", "LAST", ...args])).stdout));
  /** Expected lines are written relative to the working dir, as in the original ("C src/lib.rs"). */
  return (expected: readonly string[], args: readonly string[] = []): void => {
    const absolute = expected.map((l) => l.slice(0, 2) + path.join(work, l.slice(2)));
    expect(restoreIt(args)).toEqual(absolute);
  };
}

test("restore_src", () => {
  const { work, repo } = setup("restore-src");
  const src = writeSrcTree(work);
  ok(cli(work, repo, ["backup", src]));
  const compare = restorer(work, repo);

  // Without any changes, restore should be a no-op.
  compare([]);

  // Added, removed, moved, modified, permissions.
  editSrcTree(src);
  compare([
    "- src/aNewFile",
    "+ src/backend/",
    ...BACKEND_FILES.map((f) => `+ src/backend/${f}`),
    "+ src/diff.rs",
    "C src/lib.rs",
    "P src/main.rs",
    "- src/wackend/",
    ...BACKEND_FILES.map((f) => `- src/wackend/${f}`),
    "T src/",
  ]);

  // Restoring again should do nothing.
  compare([]);

  // Changed type.
  replaceWithSymlink(src, "ls.rs", "/dev/null");
  compare(["- src/ls.rs -> /dev/null", "+ src/ls.rs", "T src/"]);

  // A symlink retargeted is -/+, not a metadata change.
  replaceWithSymlink(src, "ls.rs", "/dev/null");
  // Old times in the snapshot, so the changes below (and the restored symlink) differ by time for sure.
  pinTime(path.join(src, "ls.rs"));
  pinTime(src);
  ok(cli(work, repo, ["backup", src]));
  replaceWithSymlink(src, "ls.rs", "/dev/urandom");
  compare(["- src/ls.rs -> /dev/urandom", "+ src/ls.rs -> /dev/null", "T src/"]);

  // Move the directory and retarget the restore with --output. Everything compares cleanly except
  // the symlink the restore above re-created: a new symlink keeps its creation time.
  const elsewhere = path.join(work, "elsewhere");
  fs.renameSync(src, elsewhere);
  compare(["T elsewhere/ls.rs -> /dev/null"], ["--output", elsewhere]);

  // Axe the backend folder and bring it back at the new target.
  fs.rmSync(path.join(elsewhere, "backend"), { recursive: true });
  compare(["+ elsewhere/backend/", ...BACKEND_FILES.map((f) => `+ elsewhere/backend/${f}`), "T elsewhere/"], ["-o", elsewhere]);

  // Clean now.
  compare([], ["-o", elsewhere]);
});

test("restore_multipath", () => {
  const { work, repo } = setup("restore-multi");
  const readme = writeReadme(work);
  const license = writeLicense(work);
  // Several top-level paths, and files as the top-level objects.
  ok(cli(work, repo, ["backup", readme, license]));
  const compare = restorer(work, repo);

  compare([]);

  fs.writeFileSync(license, "https://xkcd.com/225/");
  fs.writeFileSync(readme, "We spend eternity looking at pleasant moments—like today at the zoo. Isn't this a nice moment?");
  compare(["C LICENSE.txt", "C README.md"]);
  expect(fs.readFileSync(license, "utf8")).toStartWith("zlib License");

  // Multi-path retargeting into an empty directory.
  const out = path.join(work, "elsewhere");
  fs.mkdirSync(out);
  compare(["+ elsewhere/LICENSE.txt", "+ elsewhere/README.md"], ["--output", out]);
  expect(fs.readFileSync(path.join(out, "README.md"))).toEqual(fs.readFileSync(readme));
});
