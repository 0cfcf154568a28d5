/**
 * Hostile snapshots whose paths and root tree disagree: a root entry not named after any of the
 * snapshot's paths, and paths nested in each other (`T/link`, a symlink out of T, and
 * `T/link/victim`). Restore refuses them before touching the disk, with or without `-o`, and
 * `check` names the snapshot. Nested paths that agree with the tree are still refused when a
 * directory between them is a symlink on disk, which the inner path would be written through.
 * A partial restore (patterns, SNAPSHOT:PATH) refuses them just the same.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { craftedRepo, dirNode, fileNode, symlinkNode, treeOf, writeSnapshotOf } from "../helpers/craft-repo.ts";
import { cleanUpAfterThisFile, cli, entriesIn, errorReport, fails, objectIds } from "./harness.ts";

cleanUpAfterThisFile();

const payload = new TextEncoder().encode("pwned\n");

test("a root entry not named after the snapshot's path: restore --delete -o DIR keeps DIR, check names the snapshot", async () => {
  const { base, repo, work } = craftedRepo("hostile-root-name");
  const sub = treeOf({ f: fileNode([payload]) });
  await writeSnapshotOf(repo, ["/backed/up/data"], [payload], [sub, treeOf({ zzz: dirNode(sub) })]);
  const [snapshot] = objectIds(repo, "snapshots");
  const out = path.join(base, "out");
  fs.mkdirSync(path.join(out, "keep"), { recursive: true });
  fs.writeFileSync(path.join(out, "keep", "precious"), "mine\n");

  for (const args of [["restore", "--delete", "--output", out, "LAST"], ["restore", "--delete", "LAST"], ["restore", "--delete", "-o", out, "-e", "x", "LAST"]]) {
    const r = fails(cli(work, repo, args));
    expect(errorReport(r)).toContain(`Snapshot ${snapshot}`);
    expect(errorReport(r)).toContain(`"zzz"`);
  }
  expect(entriesIn(out)).toEqual(["keep/", "keep/precious"]);
  expect(errorReport(fails(cli(work, repo, ["check", "--read-packs"])))).toContain(`Snapshot ${snapshot}`);
});

test("nested paths T/link (a symlink out of T) and T/link/victim: restore writes nothing, with or without -o", async () => {
  const { base, repo, work } = craftedRepo("hostile-nested");
  const outside = path.join(base, "outside");
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, "keep"), "untouched\n");
  const target = path.join(base, "T");
  fs.mkdirSync(target);
  const root = treeOf({ link: symlinkNode(outside), victim: fileNode([payload]) });
  await writeSnapshotOf(repo, [path.join(target, "link"), path.join(target, "link", "victim")], [payload], [root]);
  const [snapshot] = objectIds(repo, "snapshots");
  const before = { outside: entriesIn(outside), keep: fs.readFileSync(path.join(outside, "keep"), "utf8") };

  const out = path.join(base, "out");
  // A partial restore checks the whole snapshot too.
  const partial = [["restore", "-i", "victim", "LAST"], ["restore", "-e", "nothing", "LAST"], ["restore", "LAST:victim"]];
  for (const args of [["restore", "LAST"], ["restore", "--delete", "LAST"], ["restore", "--output", out, "LAST"], ...partial]) {
    const r = fails(cli(work, repo, args));
    expect(errorReport(r)).toContain(`Snapshot ${snapshot}`);
    expect(errorReport(r)).toContain("inside");
    expect({ outside: entriesIn(outside), keep: fs.readFileSync(path.join(outside, "keep"), "utf8") }).toEqual(before);
    expect(entriesIn(target)).toEqual([]);
  }
  expect(errorReport(fails(cli(work, repo, ["check"])))).toContain(`Snapshot ${snapshot}`);
});

test("nested paths T/zz and T/zz/sub/aa, with T/zz a symlink out of T on disk: restore writes nothing through it", async () => {
  const { base, repo, work } = craftedRepo("hostile-found-link");
  const outside = path.join(base, "outside");
  fs.mkdirSync(path.join(outside, "sub"), { recursive: true });
  const target = path.join(base, "T");
  fs.mkdirSync(target);
  fs.symlinkSync(outside, path.join(target, "zz"));
  const sub = treeOf({});
  const root = treeOf({ aa: fileNode([payload]), zz: dirNode(treeOf({ sub: dirNode(sub) })) });
  await writeSnapshotOf(repo, [path.join(target, "zz"), path.join(target, "zz", "sub", "aa")], [payload], [sub, treeOf({ sub: dirNode(sub) }), root]);

  const report = errorReport(fails(cli(work, repo, ["restore", "LAST"])));
  expect(report).toContain(`${path.join(target, "zz")} is on disk as a symlink`);
  expect(entriesIn(outside)).toEqual(["sub/"]);
  expect(fs.readlinkSync(path.join(target, "zz"))).toBe(outside);
});
