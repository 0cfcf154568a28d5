/** backup's flags: --dry-run, --tag, --author, --allow-empty, --allow-repeat and --time. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FUTURE_ATIME, pinTimes, writeSrcTree } from "../fixtures/src-tree.ts";
import { catJson, cleanUpAfterThisFile, cli, EMPTY_REPO, entriesIn, escapeRegex, lines, listedSnapshots, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("--dry-run stores nothing and leaves nothing in the working directory", () => {
  const { work, repo } = setup("dryrun");
  const src = writeSrcTree(tempDir("dryrun-data"));
  const r = ok(cli(work, repo, ["backup", "--dry-run", src]));
  expect(r.stdout).toMatch(/Snaphsot [0-9a-v]{8} done/);
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
  expect(entriesIn(work)).toEqual([]);
  // A real run afterwards starts from scratch and stores everything.
  ok(cli(work, repo, ["backup", src]));
  expect(objectIds(repo, "snapshots").length).toBe(1);
  expect(objectIds(repo, "indexes").length).toBe(1);
  expect(objectIds(repo, "packs").length).toBe(2);
  expect(entriesIn(work)).toEqual([]);
});

test("--tag, --author, and the hostname as the default author", () => {
  const { work, repo } = setup("meta");
  const dir = tempDir("meta-data");
  fs.writeFileSync(path.join(dir, "f"), "1");
  ok(cli(work, repo, ["backup", "-t", "b", "--tag", "a", "--author", "Neil Armstrong", dir]));
  fs.writeFileSync(path.join(dir, "f"), "22");
  ok(cli(work, repo, ["backup", dir]));
  const [tagged, plain] = listedSnapshots(work, repo) as [string, string];
  const listing = lines(ok(cli(work, repo, ["snapshots"])).stdout);
  expect(listing).toContain(`snapshot ${tagged} (a b)`);
  expect(listing).toContain(`snapshot ${plain}`);
  expect(listing).toContain("Author: Neil Armstrong");
  expect(listing).toContain(`Author: ${os.hostname()}`);
  expect(listing).toContain(`  - ${dir}`);
  expect(catJson(work, repo, ["snapshot", tagged])).toMatchObject({ author: "Neil Armstrong", tags: ["a", "b"], paths: [dir] });
});

test("an empty root tree needs --allow-empty", () => {
  // As in backpak, "empty" means the snapshot's root tree is empty, which happens when --skip
  // drops every given path. An empty *directory* is not that: its root tree holds the directory.
  const { work, repo } = setup("empty");
  const empty = path.join(tempDir("empty-data"), "empty");
  fs.mkdirSync(empty);
  const skipAll = ["--skip", `^${escapeRegex(empty)}$`];
  const r = ok(cli(work, repo, ["backup", ...skipAll, empty]));
  expect(r.stderr).toContain("Nothing backed up! Pass --allow-empty to create an empty snapshot.");
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
  expect(entriesIn(work)).toEqual([]);

  ok(cli(work, repo, ["backup", "--allow-empty", ...skipAll, empty]));
  expect(objectIds(repo, "snapshots").length).toBe(1);
  expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout)).toEqual([]);

  // An empty directory backs up without the flag.
  expect(ok(cli(work, repo, ["backup", empty])).stderr).not.toContain("Nothing backed up!");
  expect(objectIds(repo, "snapshots").length).toBe(2);
  expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout)).toEqual(["empty/"]);
});

test("a repeated snapshot is skipped unless --allow-repeat", () => {
  // Every node's metadata, atime included, is part of the tree, and backing up reads every
  // directory and file, which can bump atimes (with relatime: when atime <= mtime or ctime, or is a
  // day old). So before each run every atime is pinned in the future, which no read moves, making
  // the trees of all four runs identical whatever the clock says. (Only a strictatime mount would
  // still move them; the precondition below says so if that happens.)
  const { work, repo } = setup("repeat");
  const src = writeSrcTree(tempDir("repeat-data"));
  const backup = (...flags: string[]): string => {
    pinTimes(src);
    const out = ok(cli(work, repo, ["backup", ...flags, src])).stderr;
    const atime = fs.statSync(path.join(src, "backend"), { bigint: true }).atimeNs;
    expect(`atime after backup: ${atime}`).toBe(`atime after backup: ${BigInt(FUTURE_ATIME) * 1_000_000_000n}`);
    return out;
  };
  const snapshotCount = (): number => objectIds(repo, "snapshots").length;

  backup();
  expect(snapshotCount()).toBe(1);
  expect(backup("--allow-repeat")).not.toContain("Snapshot is the same as the last!");
  expect(snapshotCount()).toBe(2);
  backup("--allow-repeat");
  expect(snapshotCount()).toBe(3);
  const trees = listedSnapshots(work, repo).map((id) => (catJson(work, repo, ["snapshot", id]) as { tree: string }).tree);
  expect(new Set(trees).size).toBe(1);

  expect(backup()).toContain("Snapshot is the same as the last! Pass --allow-repeat to create a duplicate.");
  expect(snapshotCount()).toBe(3);
  expect(entriesIn(work)).toEqual([]);
});

test("a dry run prints the ID the real run stores (backpak printed a different, v1-style one)", () => {
  const { work, repo } = setup("dryrun-id");
  const src = writeSrcTree(tempDir("dryrun-id-data"));
  // Reading moves atimes (relatime), which would change the tree between the two runs.
  pinTimes(src);
  const args = ["backup", "--author", "me", "--time", "2024-06-01T12:00:00Z", src];
  const dry = ok(cli(work, repo, ["backup", "--dry-run", ...args.slice(1)]));
  const real = ok(cli(work, repo, args));
  const idOf = (stdout: string): string => /Snaphsot ([0-9a-v]{8}) done/.exec(stdout)![1]!;
  expect(idOf(dry.stdout)).toBe(idOf(real.stdout));
  expect(objectIds(repo, "snapshots")[0]!.startsWith(idOf(real.stdout))).toBe(true);
});

test("--time refuses dates that don't exist (exit 2, naming the option and the accepted forms) and keeps leap days", () => {
  const { work, repo } = setup("bad-time");
  const data = tempDir("bad-time-data");
  fs.writeFileSync(path.join(data, "f.txt"), "x");
  for (const [time, why] of [
    ["2024-13-01 00:00:00", "month 13 is out of range (1-12)"],
    ["2024-02-30", "is not a date-time"],
    ["2024-02-30 00:00:00", "2024-02 has no day 30 (it has 29 days)"],
    ["2023-02-29T12:00:00Z", "2023-02 has no day 29 (it has 28 days)"],
    ["2024-05-01 24:00:00", "hour 24 is out of range (0-23)"],
  ] as const) {
    const r = cli(work, repo, ["backup", "--time", time, data]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`invalid value '${time}' for '--time <TIME>': `);
    expect(r.stderr).toContain(why);
    expect(r.stderr).toContain('"YYYY-MM-DD HH:MM:SS"');
    expect(r.stderr).toContain("RFC 3339");
  }
  expect(objectIds(repo, "snapshots")).toEqual([]);
  ok(cli(work, repo, ["backup", "--time", "2024-02-29 23:59:59", data]));
  expect(lines(ok(cli(work, repo, ["snapshots"])).stdout)).toContain("Date:   Thu Feb 29 2024 23:59:59 UTC");
});
