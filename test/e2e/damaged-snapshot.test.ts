/**
 * One damaged snapshot file (a bit flipped) doesn't stop commands that don't need it: they warn,
 * naming the file, and go on; LAST skips it. Using it fails naming it, check says how to recover,
 * forget can drop it, and prune refuses (deleting nothing) until it is forgotten.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, contentsOf, entriesIn, errorReport, fails, lines, listedSnapshots, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** Three snapshots, oldest first: `docs` (1), `photos` (2), `docs` again (3), whose file then gets one bit flipped. */
function withDamagedNewest(label: string) {
  const { work, repo } = setup(label);
  const docs = path.join(tempDir(`${label}-docs`), "docs");
  const photos = path.join(tempDir(`${label}-photos`), "photos");
  fs.mkdirSync(docs);
  fs.mkdirSync(photos);
  fs.writeFileSync(path.join(docs, "a.txt"), "first draft\n");
  fs.writeFileSync(path.join(photos, "p.raw"), "pixels\n");
  ok(cli(work, repo, ["backup", "--time", "2024-01-01T00:00:00Z", docs]));
  ok(cli(work, repo, ["backup", "--time", "2024-01-02T00:00:00Z", photos]));
  fs.writeFileSync(path.join(docs, "b.txt"), "only in the damaged snapshot\n");
  ok(cli(work, repo, ["backup", "--time", "2024-01-03T00:00:00Z", docs]));
  const [first, second, damaged] = listedSnapshots(work, repo);
  const file = path.join(repo, "snapshots", `${damaged}.snapshot`);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 5]! ^= 0x01;
  fs.writeFileSync(file, bytes);
  return { work, repo, docs, photos, first: first!, second: second!, damaged: damaged!, key: `snapshots/${damaged}.snapshot` };
}

test("snapshots, ls, restore, cat and usage of other snapshots warn about the damaged file and go on; LAST skips it", () => {
  const { work, repo, photos, first, second, damaged, key } = withDamagedNewest("dmg-read");
  const warning = `Skipping ${key}, which can't be loaded: Snapshot ${damaged}'s contents changed!`;

  const listed = ok(cli(work, repo, ["snapshots"]));
  expect(listed.stderr).toContain(warning);
  expect(lines(listed.stdout).filter((l) => l.startsWith("snapshot "))).toEqual([`snapshot ${first}`, `snapshot ${second}`]);

  const ls = ok(cli(work, repo, ["ls", first]));
  expect(ls.stderr).toContain(warning);
  expect(lines(ls.stdout)).toEqual(["docs/", "docs/a.txt"]);
  // The newest readable snapshot is LAST.
  expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout)).toEqual(["photos/", "photos/p.raw"]);

  const out = tempDir("dmg-read-out");
  ok(cli(work, repo, ["restore", "--output", out, second.slice(0, 6)]));
  expect(contentsOf(out)).toEqual(contentsOf(photos));

  expect(JSON.parse(ok(cli(work, repo, ["cat", "snapshot", first])).stdout).paths).toHaveLength(1);
  const usage = ok(cli(work, repo, ["usage"]));
  expect(usage.stderr).toContain(warning);
  expect(usage.stdout).toContain("2 snapshots, from 2024-01-01T00:00:00 to 2024-01-02T00:00:00");
});

test("ls, restore, snapshots and cat OF the damaged snapshot fail, naming it and how to drop it", () => {
  const { work, repo, damaged, key } = withDamagedNewest("dmg-use");
  const out = tempDir("dmg-use-out");
  for (const args of [["ls", damaged.slice(0, 6)], ["restore", "--output", out, damaged], ["snapshots", damaged.slice(0, 8)], ["cat", "snapshot", damaged]]) {
    const report = errorReport(fails(cli(work, repo, args)));
    expect(report).toContain(`Error: Snapshot ${damaged} can't be used: ${key} is damaged`);
    expect(report).toContain(`Snapshot ${damaged}'s contents changed!`);
    expect(report).toContain(`\`backpak forget ${damaged}\``);
  }
  expect(entriesIn(out)).toEqual([]);
});

test("backup finds its parent past the damaged snapshot", () => {
  const { work, repo, docs, first, key } = withDamagedNewest("dmg-backup");
  const r = ok(cli(work, repo, ["backup", docs]));
  expect(r.stderr).toContain(`Skipping ${key}`);
  // The damaged snapshot was the newest of these paths; the one before it is the parent.
  expect(r.stderr).toContain(`Using snapshot ${first} as a parent`);
  expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout)).toEqual(["docs/", "docs/a.txt", "docs/b.txt"]);
});

test("check names the damaged file and says how to recover; forget drops it by prefix; then check and prune pass", () => {
  const { work, repo, damaged, key } = withDamagedNewest("dmg-forget");
  const check = fails(cli(work, repo, ["check"]));
  expect(errorReport(check)).toContain(`ERROR Snapshot ${damaged} can't be used: ${key} is damaged: Snapshot ${damaged}'s contents changed!`);
  expect(errorReport(check)).toContain(`Hint: the errors above name the damaged objects; put back a good copy of ${key} if you have one; otherwise \`backpak forget ${damaged}\` drops that snapshot`);

  // A retention policy neither counts nor forgets it.
  const policy = ok(cli(work, repo, ["forget", "-n", "--keep-last", "1"]));
  expect(policy.stdout).not.toContain(damaged.slice(0, 8));
  expect(objectIds(repo, "snapshots")).toContain(damaged);

  const forget = ok(cli(work, repo, ["forget", damaged.slice(0, 6)]));
  expect(forget.stdout).toContain(`Forgetting ${damaged}`);
  expect(objectIds(repo, "snapshots")).not.toContain(damaged);
  ok(cli(work, repo, ["check"]));
  const prune = ok(cli(work, repo, ["prune"]));
  expect(prune.stderr).not.toContain("Skipping");
  ok(cli(work, repo, ["check", "--read-packs"]));
});

test("prune refuses while a snapshot is damaged, deleting nothing", () => {
  const { work, repo, damaged, key } = withDamagedNewest("dmg-prune");
  // Only the damaged snapshot uses docs/b.txt: a prune that ignored it would delete that data.
  const before = { packs: objectIds(repo, "packs"), indexes: objectIds(repo, "indexes") };
  for (const args of [["prune"], ["prune", "-n"]]) {
    const report = errorReport(fails(cli(work, repo, args)));
    expect(report).toContain(`Error: Won't prune: ${key} can't be read, so the data it uses is unknown`);
    expect(report).toContain(`Hint: nothing was deleted; put back a good copy of ${key} if you have one; otherwise \`backpak forget ${damaged}\` drops that snapshot, then prune again`);
    expect({ packs: objectIds(repo, "packs"), indexes: objectIds(repo, "indexes") }).toEqual(before);
  }
  expect(entriesIn(work)).toEqual([]);
});
