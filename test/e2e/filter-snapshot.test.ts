/** Port of backpak's tests/filter-snapshot.rs, plus -k, -n, and the nothing-filtered case. */
import { expect, test } from "bun:test";
import { writeSrcTree } from "../fixtures/src-tree.ts";
import { catJson, cleanUpAfterThisFile, cli, entriesIn, fails, lines, listedSnapshots, ok, setup } from "./harness.ts";

cleanUpAfterThisFile();

interface SnapshotJson {
  time: string;
  author: string;
  tags: string[];
  paths: string[];
  tree: string;
}

test("filter_snapshot_smoke", () => {
  const { work, repo } = setup("filter-snap");
  ok(cli(work, repo, ["backup", writeSrcTree(work)]));
  ok(cli(work, repo, ["filter-snapshot", "--skip", "backend", "LAST"]));
  ok(cli(work, repo, ["check", "-r"]));

  const original = lines(ok(cli(work, repo, ["ls", "LAST~"])).stdout);
  const filtered = lines(ok(cli(work, repo, ["ls", "LAST"])).stdout);
  expect(filtered).toEqual(original.filter((l) => !l.includes("backend")));
  expect(filtered.length).toBeLessThan(original.length);
  expect(listedSnapshots(work, repo).length).toBe(2);
});

test("filter-snapshot -k keeps the metadata; new metadata otherwise", () => {
  const { work, repo } = setup("filter-snap-meta");
  ok(cli(work, repo, ["backup", "--author", "someone", "--tag", "old", "--time", "2020-05-06T07:08:09Z", writeSrcTree(work)]));
  const [original] = listedSnapshots(work, repo);
  const before = catJson(work, repo, ["snapshot", original!]) as SnapshotJson;

  ok(cli(work, repo, ["filter-snapshot", "-k", "--skip", "ui/", original!]));
  // Both have the same time, so which one is LAST is up to their IDs: find the new one.
  const added = listedSnapshots(work, repo).filter((id) => id !== original);
  expect(added.length).toBe(1);
  const kept = catJson(work, repo, ["snapshot", added[0]!]) as SnapshotJson;
  expect({ ...kept, tree: before.tree }).toEqual(before);
  expect(kept.tree).not.toBe(before.tree);

  ok(cli(work, repo, ["filter-snapshot", "-a", "me", "-t", "new", "--skip", "lib", original!]));
  const fresh = catJson(work, repo, ["snapshot", "LAST"]) as SnapshotJson;
  expect(fresh.author).toBe("me");
  expect(fresh.tags).toEqual(["new"]);
  expect(fresh.paths).toEqual(before.paths);

  fails(cli(work, repo, ["filter-snapshot", "-k", "-a", "me", "--skip", "x", "LAST"]));
  fails(cli(work, repo, ["filter-snapshot", "LAST"]));
});

test("filter-snapshot -n and a filter that removes nothing store nothing", () => {
  const { work, repo } = setup("filter-snap-noop");
  ok(cli(work, repo, ["backup", writeSrcTree(work)]));
  const before = entriesIn(repo);
  ok(cli(work, repo, ["filter-snapshot", "-n", "--skip", "backend", "LAST"]));
  expect(entriesIn(repo)).toEqual(before);
  const r = ok(cli(work, repo, ["filter-snapshot", "--skip", "no-such-name", "LAST"]));
  expect(r.stderr).toContain("Nothing filtered; no new snapshot");
  expect(entriesIn(repo)).toEqual(before);
});
