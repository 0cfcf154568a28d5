/** `tag --add/--remove/--set`: a retagged snapshot is a new snapshot file with the same tree, time, author and paths, in the same place in time order; the old file goes. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { catJson, cleanUpAfterThisFile, cli, fails, listedSnapshots, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("tag edits tags by writing a new snapshot and removing the old one", () => {
  const { work, repo } = setup("tag");
  const data = tempDir("tag-data");
  fs.writeFileSync(path.join(data, "f"), "one");
  ok(cli(work, repo, ["backup", "-a", "me", "-t", "a", "--time", "2024-05-01T10:00:00Z", data]));
  fs.writeFileSync(path.join(data, "f"), "two");
  ok(cli(work, repo, ["backup", "-a", "me", "--time", "2024-05-02T10:00:00Z", data]));
  const [older, newer] = listedSnapshots(work, repo) as [string, string];
  const before = catJson(work, repo, ["snapshot", older]) as Record<string, unknown>;

  const tagged = ok(cli(work, repo, ["tag", "--add", "b", "--add", "c", older.slice(0, 8)]));
  const retagged = objectIds(repo, "snapshots").find((id) => id !== newer)!;
  expect(retagged).not.toBe(older);
  expect(tagged.stdout).toContain(`Snapshot ${older} is now ${retagged}\nChanged the tags of 1 snapshot`);
  expect(objectIds(repo, "snapshots")).toEqual([newer, retagged].sort());
  // Everything but the tags is the same, so it keeps its place: LAST is still the newer one.
  expect(catJson(work, repo, ["snapshot", retagged])).toEqual({ ...before, tags: ["a", "b", "c"] });
  expect(listedSnapshots(work, repo)).toEqual([retagged, newer]);
  expect(listedSnapshots(work, repo, ["LAST"])).toEqual([newer]);

  const tagsOf = (ref: string): unknown => (catJson(work, repo, ["snapshot", ref]) as { tags: unknown }).tags;
  ok(cli(work, repo, ["tag", "--remove", "a", "LAST~1"]));
  expect(tagsOf("LAST~1")).toEqual(["b", "c"]);
  ok(cli(work, repo, ["tag", "--set", "x", "--set", "y", "LAST~1", "latest"]));
  expect([tagsOf("LAST~1"), tagsOf("LAST")]).toEqual([["x", "y"], ["x", "y"]]);
  expect(listedSnapshots(work, repo, ["--tag", "x,y"]).length).toBe(2);
  ok(cli(work, repo, ["tag", "--set", "", "LAST"]));
  expect(tagsOf("LAST")).toEqual([]);

  // Nothing to change: no new file.
  const unchanged = objectIds(repo, "snapshots");
  expect(ok(cli(work, repo, ["tag", "--add", "x", "LAST~1"])).stdout).toContain("Changed the tags of 0 snapshots");
  expect(objectIds(repo, "snapshots")).toEqual(unchanged);

  for (const args of [["LAST"], ["--set", "x", "--add", "y", "LAST"], ["--add", "x"]]) {
    expect(fails(cli(work, repo, ["tag", ...args])).code).toBe(2);
  }
  expect(fails(cli(work, repo, ["tag", "--add", "x", "zzzz"])).code).toBe(1);
  expect(objectIds(repo, "snapshots")).toEqual(unchanged);
  ok(cli(work, repo, ["check", "--read-packs"]));
});
