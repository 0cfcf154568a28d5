/** forget, filter-snapshot and prune given bad references or a damaged repository: a clear error, a non-zero exit, nothing deleted. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { writeReadme, writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, entriesIn, errorReport, fails, listedSnapshots, objectIds, ok, setup } from "./harness.ts";

cleanUpAfterThisFile();

function twoSnapshots(label: string): { work: string; repo: string } {
  const { work, repo } = setup(label);
  ok(cli(work, repo, ["backup", writeSrcTree(work)]));
  ok(cli(work, repo, ["backup", writeReadme(work)]));
  return { work, repo };
}

test("forget with one reference that matches nothing forgets none of them", () => {
  const { work, repo } = twoSnapshots("forget-bad");
  const ids = listedSnapshots(work, repo);
  const r = fails(cli(work, repo, ["forget", ids[0]!, "zzzz", ids[1]!.slice(0, 3)]));
  expect(errorReport(r)).toContain("No snapshots start with zzzz");
  expect(errorReport(r)).toContain("Provide a snapshot ID with at least 4 digits!");
  expect(errorReport(r)).toContain("Couldn't forget snapshots!");
  expect(listedSnapshots(work, repo)).toEqual(ids);
  fails(cli(work, repo, ["forget", "LAST~5"]));
  expect(listedSnapshots(work, repo)).toEqual(ids);
});

test("forget -n names what it would forget and forgets nothing", () => {
  const { work, repo } = twoSnapshots("forget-dry");
  const ids = listedSnapshots(work, repo);
  const r = ok(cli(work, repo, ["forget", "-n", "LAST"]));
  expect(r.stdout).toBe(`Would remove ${ids[1]}\n`);
  expect(listedSnapshots(work, repo)).toEqual(ids);
});

test("filter-snapshot of a reference that matches nothing stores nothing", () => {
  const { work, repo } = twoSnapshots("filter-bad");
  const before = entriesIn(repo);
  const r = fails(cli(work, repo, ["filter-snapshot", "--skip", "x", "zzzz"]));
  expect(errorReport(r)).toContain("No snapshots start with zzzz");
  expect(entriesIn(repo)).toEqual(before);
});

test("prune with a pack missing fails before deleting anything", () => {
  const { work, repo } = twoSnapshots("prune-bad");
  ok(cli(work, repo, ["forget", "LAST~1"]));
  // Lose the packs of the snapshot that's kept; the forgotten one's packs stay.
  const kept = JSON.parse(ok(cli(work, repo, ["cat", "snapshot", "LAST"])).stdout).tree as string;
  const lost = objectIds(repo, "packs").find((p) => JSON.parse(ok(cli(work, repo, ["cat", "pack", p])).stdout).some((e: { id: string }) => e.id === kept));
  fs.rmSync(path.join(repo, "packs", `${lost}.pack`));
  const before = entriesIn(repo);
  const r = fails(cli(work, repo, ["prune"]));
  expect(errorReport(r)).toContain(lost!);
  expect(entriesIn(repo)).toEqual(before);
});
