/**
 * A full disk (a small tmpfs) under the repository, under the scratch directory, or under
 * a restore: a clear error naming what couldn't be written, nothing half-written left behind, and
 * the next run, given room, completes.
 * Mounting needs root; where it can't be done (an unprivileged run) these tests are skipped.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { canMount, growSmallDisk, withSmallDisk } from "../helpers/tmpfs.ts";
import { cleanUpAfterThisFile, cli, contentsOf, entriesIn, errorReport, escapeRegex, fails, filesIn, objectIds, ok, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf, withResumeIndex } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

/** 9 MB that don't compress, in three files, plus a small one. */
function writeSource(work: string): string {
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(src, `big${i}`), randomBytes(100 + i, 3 << 20));
  fs.writeFileSync(path.join(src, "small"), "hello\n");
  return src;
}

test.skipIf(!canMount)("a backup into a repository on a full disk fails clearly, stores no snapshot, and resumes once there is room", () => {
  withSmallDisk("full-repo-disk", 4, (disk) => {
    const repo = path.join(disk, "repo");
    const work = tempDir("full-repo-work");
    const src = writeSource(work);
    ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));

    const r = fails(cli(work, repo, ["backup", src]));
    expect(r.stderr).toContain("no space left on device");
    expect(r.stderr).toContain(`Couldn't store`);
    expect(r.stderr).toContain("Hint: the disk is full");
    expect(objectIds(repo, "snapshots")).toEqual([]);
    // Nothing half-stored in the repository, no unfinished pack in the scratch directory, which keeps the WIP index.
    expect(entriesIn(repo).filter((e) => e.endsWith(".part"))).toEqual([]);
    const root = scratchRootOf(repo);
    const [kept, ...others] = withResumeIndex(root);
    expect(others).toEqual([]);
    expect(fs.readdirSync(path.join(root, kept!)).filter((f) => f.startsWith("temp-backpak-"))).toEqual([]);
    ok(cli(work, repo, ["check"]));

    growSmallDisk(disk, 32);
    const resumed = ok(cli(work, repo, ["backup", src]));
    expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
    expect(filesIn(work).filter((f) => !f.startsWith("src/"))).toEqual([]);
    expect(runDirsIn(root)).toEqual([]);
    ok(cli(work, repo, ["check", "--read-packs"]));
    const out = tempDir("full-repo-out");
    ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
    expect(contentsOf(out)).toEqual(contentsOf(src));
  });
});

test.skipIf(!canMount)("a restore onto a full disk names the file it couldn't write and leaves no partial files", () => {
  const work = tempDir("full-out-work");
  const repo = path.join(work, "repo");
  const src = writeSource(work);
  ok(cli(work, repo, ["init", "filesystem"]));
  ok(cli(work, repo, ["backup", src]));

  withSmallDisk("full-out-disk", 4, (disk) => {
    const out = path.join(disk, "out");
    const r = fails(cli(work, repo, ["restore", "--output", out, "LAST"]));
    expect(r.stderr).toMatch(new RegExp(`Couldn't write ${out}/big[0-2]`));
    expect(r.stderr).toContain("no space left on device");
    expect(r.stderr).toContain("Hint: the disk is full");
    expect(r.stderr).not.toContain("check --read-packs");
    // Whatever is there is whole: incomplete files were removed.
    const wanted = contentsOf(src);
    for (const [name, contents] of Object.entries(contentsOf(out))) expect(contents).toBe(wanted[name]!);

    growSmallDisk(disk, 32);
    ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
    expect(contentsOf(out)).toEqual(wanted);
  });
});

test.skipIf(!canMount)("a backup whose scratch directory fills up names the file, stores nothing that refers to it, and resumes once there is room", () => {
  const work = tempDir("full-scratch-work");
  const repo = path.join(tempDir("full-scratch-repo"), "repo");
  const src = writeSource(tempDir("full-scratch-src"));
  withSmallDisk("full-scratch-disk", 2, (disk) => {
    const env = { BACKPAK_SCRATCH_DIR: disk };
    ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
    const root = scratchRootOf(repo, disk);
    const r = fails(cli(work, repo, ["backup", src], { env }));
    const report = errorReport(r);
    expect(report).toMatch(new RegExp(`Couldn't write ${escapeRegex(root)}/[^/]+/\\S+ in the scratch directory`));
    expect(report).toContain("no space left on device");
    expect(report).toMatch(new RegExp(`Hint: the scratch directory is full: free some space in ${escapeRegex(root)}/[^/]+, or give one on a disk with room with --scratch-dir DIR`));
    // No index or snapshot was stored, so nothing refers to what wasn't; the packs stored are whole.
    expect(objectIds(repo, "indexes")).toEqual([]);
    expect(objectIds(repo, "snapshots")).toEqual([]);
    expect(filesIn(disk).filter((f) => path.basename(f).startsWith("temp-backpak-") || f.endsWith(".part"))).toEqual([]);
    ok(cli(work, repo, ["check", "--read-packs"]));

    growSmallDisk(disk, 32);
    ok(cli(work, repo, ["backup", src], { env }));
    expect(runDirsIn(root)).toEqual([]);
    ok(cli(work, repo, ["check", "--read-packs"]));
    const out = tempDir("full-scratch-out");
    ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
    expect(contentsOf(out)).toEqual(contentsOf(src));
  });
});
