/**
 * Unreadable entries: without --skip-unreadable the backup lists every one of them and writes
 * nothing; with it (or `skip_unreadable = true` in [backup]) it stores the rest, names each entry
 * left out and why on stderr, and exits 3. Runs as nobody, since chmod 000 doesn't stop root.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, EMPTY_REPO, entriesIn, errorReport, fails, letOthersRead, lines, ok, run, setup, tempDir, type RunResult } from "./harness.ts";
import { sharedScratch } from "./scratch-dirs.ts";
import { canMountFailingDisk, withFailingDisk } from "../helpers/failing-disk.ts";

cleanUpAfterThisFile();

const NOBODY = 65534;

/** A tree with four unreadable entries (two files, a directory, a non-UTF-8 name) among readable ones. */
function tree(): { dir: string; readable: string[]; unreadable: { path: string; why: string }[] } {
  const dir = path.join(tempDir("unreadable-data"), "data");
  fs.chmodSync(path.dirname(dir), 0o755);
  fs.mkdirSync(path.join(dir, "nested"), { recursive: true });
  fs.mkdirSync(path.join(dir, "closed"));
  fs.writeFileSync(path.join(dir, "fine.txt"), "fine");
  fs.writeFileSync(path.join(dir, "locked.txt"), "secret");
  fs.writeFileSync(path.join(dir, "nested", "ok.txt"), "ok");
  fs.writeFileSync(path.join(dir, "nested", "also-locked.txt"), "secret too");
  fs.writeFileSync(path.join(dir, "closed", "inside.txt"), "hidden");
  fs.symlinkSync("fine.txt", path.join(dir, "link"));
  fs.writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0x66, 0x6f, 0x80, 0x6f])]), "bad name");
  for (const p of ["locked.txt", "nested/also-locked.txt", "closed"]) fs.chmodSync(path.join(dir, p), 0o000);
  return {
    dir,
    readable: ["data/", "data/fine.txt", "data/link -> fine.txt", "data/nested/", "data/nested/ok.txt"],
    unreadable: [
      { path: `${dir}/closed/`, why: "permission denied" },
      { path: `${dir}/"fo\u0080o"`, why: "non-UTF-8 name (bytes 666f806f)" },
      { path: `${dir}/locked.txt`, why: "permission denied" },
      { path: `${dir}/nested/also-locked.txt`, why: "permission denied" },
    ],
  };
}

/** A repository and working directory nobody can write, with a scratch directory of its own. */
function nobodysRepo(label: string): { work: string; repo: string; scratch: string } {
  const { work, repo } = setup(label);
  for (const d of [work, repo, ...["packs", "indexes", "snapshots", "locks"].map((s) => path.join(repo, s))]) fs.chmodSync(d, 0o777);
  return { work, repo, scratch: sharedScratch(`${label}-scratch`) };
}

/** The paths a snapshot holds, as `ls` lists them. */
function snapshotPaths(work: string, repo: string): string[] {
  return lines(ok(cli(work, repo, ["ls", "LAST"])).stdout).sort();
}

function expectWarnings(r: RunResult, unreadable: readonly { path: string; why: string }[]): void {
  expect(r.code).toBe(3);
  for (const u of unreadable) expect(r.stderr).toContain(`Skipping unreadable ${u.path} (${u.why})`);
  expect(r.stderr).toContain("4 unreadable entries left out of the snapshot (exit status 3)");
}

test("without --skip-unreadable every unreadable entry is listed, with why, and nothing is written", () => {
  const { dir, unreadable } = tree();
  const { work, repo, scratch } = nobodysRepo("unreadable-all");
  const r = fails(cli(work, repo, ["backup", dir], { asUser: NOBODY, cwd: work, env: { BACKPAK_SCRATCH_DIR: scratch } }));
  expect(r.code).toBe(1);
  const report = errorReport(r);
  expect(report).toContain("Can't read 4 entries, so no snapshot was stored:");
  for (const u of unreadable) expect(report).toContain(`  ${u.path} (${u.why})`);
  expect(report).toContain("--skip-unreadable");
  expect(entriesIn(work)).toEqual([]);
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
});

test("--skip-unreadable stores exactly the readable entries, names each skipped one, and exits 3", () => {
  const { dir, readable, unreadable } = tree();
  const { work, repo, scratch } = nobodysRepo("unreadable-skip");
  const r = cli(work, repo, ["backup", "--skip-unreadable", dir], { asUser: NOBODY, cwd: work, env: { BACKPAK_SCRATCH_DIR: scratch } });
  expectWarnings(r, unreadable);
  expect(r.stdout).toMatch(/Snaphsot [0-9a-z]+ done/);
  letOthersRead(repo);
  expect(snapshotPaths(work, repo)).toEqual(readable);
  expect(ok(cli(work, repo, ["dump", "LAST", "data/nested/ok.txt"])).stdout).toBe("ok");
});

test("skip_unreadable = true under [backup] in the config file does the same", () => {
  const { dir, readable, unreadable } = tree();
  const { work, repo, scratch } = nobodysRepo("unreadable-config");
  const config = path.join(tempDir("unreadable-config"), "backpak.toml");
  fs.writeFileSync(config, "[backup]\nskip_unreadable = true\n");
  fs.chmodSync(path.dirname(config), 0o755);
  fs.chmodSync(config, 0o644);
  const r = run(["-C", work, "--config", config, "--repository", repo, "backup", dir], { asUser: NOBODY, cwd: work, env: { BACKPAK_SCRATCH_DIR: scratch } });
  expectWarnings(r, unreadable);
  letOthersRead(repo);
  expect(snapshotPaths(work, repo)).toEqual(readable);
});

test.skipIf(!canMountFailingDisk)("a file whose read fails with EIO stops the backup without the flag, and is skipped with it", () => {
  withFailingDisk("eio", { "a.txt": "alpha", "b.txt": "beta" }, "broken.txt", (disk) => {
    expect(() => fs.readFileSync(path.join(disk, "broken.txt"))).toThrow("EIO");
    const { work, repo } = setup("eio");
    const stopped = fails(cli(work, repo, ["backup", disk]));
    expect(errorReport(stopped)).toContain(`Can't read 1 entry, so no snapshot was stored:\n  ${disk}/broken.txt (input/output error)`);
    expect(fs.readdirSync(path.join(repo, "snapshots"))).toEqual([]);
    const r = cli(work, repo, ["backup", "--skip-unreadable", disk]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`Skipping unreadable ${disk}/broken.txt (input/output error)`);
    expect(r.stderr).toContain("1 unreadable entry left out of the snapshot (exit status 3)");
    expect(snapshotPaths(work, repo)).toEqual(["disk/", "disk/a.txt", "disk/b.txt"]);
  });
});

test("with --dereference a dangling symlink is an unreadable entry, named as such", () => {
  const dir = path.join(tempDir("dangling"), "data");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "kept.txt"), "kept");
  fs.symlinkSync("nowhere", path.join(dir, "dangling"));
  const { work, repo } = setup("dangling");
  const stopped = fails(cli(work, repo, ["backup", "-L", dir]));
  expect(errorReport(stopped)).toContain("Can't read 1 entry, so no snapshot was stored:");
  expect(errorReport(stopped)).toContain(`  ${dir}/dangling (dangling symlink, with --dereference)`);
  const r = cli(work, repo, ["backup", "-L", "--skip-unreadable", dir]);
  expect(r.code).toBe(3);
  expect(r.stderr).toContain(`Skipping unreadable ${dir}/dangling (dangling symlink, with --dereference)`);
  expect(snapshotPaths(work, repo)).toEqual(["data/", "data/kept.txt"]);
  // Without --dereference it is stored as the link it is.
  ok(cli(work, repo, ["backup", dir]));
  expect(snapshotPaths(work, repo)).toEqual(["data/", "data/dangling -> nowhere", "data/kept.txt"]);
});
