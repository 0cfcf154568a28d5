/** Selecting snapshots as restic users do: `latest`, and --tag (comma lists), --author/--host and --path on snapshots, forget and copy. */
import { expect, test } from "bun:test";
import { backupNew, twoDirs } from "./new-snapshots.ts";
import { cleanUpAfterThisFile, cli, errorReport, fails, listedSnapshots, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** A repository with five snapshots of two directories by two authors, and their IDs by name. */
function fiveSnapshots(label: string): { work: string; repo: string; a: string; b: string; ids: Record<string, string> } {
  const { work, repo } = setup(label);
  const { a, b } = twoDirs(label);
  const ids: Record<string, string> = {};
  const backup = (name: string, time: string, args: string[]): void => {
    ids[name] = backupNew(work, repo, ["--allow-repeat", "--time", time, ...args]);
  };
  backup("web-a-daily", "2024-05-01T10:00:00Z", ["-a", "web", "-t", "daily", a]);
  backup("web-a-both", "2024-05-02T10:00:00Z", ["-a", "web", "-t", "daily", "-t", "weekly", a]);
  backup("db-a", "2024-05-03T10:00:00Z", ["-a", "db", a]);
  backup("db-ab-weekly", "2024-05-04T10:00:00Z", ["-a", "db", "-t", "weekly", a, b]);
  backup("web-b", "2024-05-05T10:00:00Z", ["-a", "web", b]);
  return { work, repo, a, b, ids };
}

test("latest is LAST, with ~ and ~N, and counts only what the filters select", () => {
  const { work, repo, ids } = fiveSnapshots("latest");
  const listed = (args: string[]): string[] => listedSnapshots(work, repo, args);
  expect(listed(["latest"])).toEqual([ids["web-b"]!]);
  expect(listed(["latest~"])).toEqual([ids["db-ab-weekly"]!]);
  expect(listed(["latest~4"])).toEqual([ids["web-a-daily"]!]);
  expect(listed(["LAST~1"])).toEqual(listed(["latest~1"]));
  // The other commands take it too: ls lists the newest snapshot's files.
  expect(ok(cli(work, repo, ["ls", "latest"])).stdout).toBe(ok(cli(work, repo, ["ls", "LAST"])).stdout);
  // Filtered, latest is the newest match; an ID names its snapshot whatever the filters say.
  expect(listed(["--author", "db", "latest"])).toEqual([ids["db-ab-weekly"]!]);
  expect(listed(["--tag", "daily", "LAST~1"])).toEqual([ids["web-a-daily"]!]);
  expect(listed(["--author", "db", ids["web-b"]!])).toEqual([ids["web-b"]!]);
  expect(errorReport(fails(cli(work, repo, ["snapshots", "--tag", "weekly", "latest~2"])))).toContain("Don't have 3 snapshots that match the filters yet");
});

test("snapshots selects by tag, author (or host) and path", () => {
  const { work, repo, a, b, ids } = fiveSnapshots("select");
  const listed = (args: string[]): string[] => listedSnapshots(work, repo, args);
  const named = (...names: string[]): string[] => names.map((n) => ids[n]!);
  expect(listed(["--tag", "daily"])).toEqual(named("web-a-daily", "web-a-both"));
  // A comma list needs every tag; repeating --tag accepts either.
  expect(listed(["--tag", "daily,weekly"])).toEqual(named("web-a-both"));
  expect(listed(["--tag", "daily", "--tag", "weekly"])).toEqual(named("web-a-daily", "web-a-both", "db-ab-weekly"));
  expect(listed(["--tag", ""])).toEqual(named("db-a", "web-b"));
  expect(listed(["--author", "db"])).toEqual(named("db-a", "db-ab-weekly"));
  expect(listed(["--host", "db"])).toEqual(listed(["--author", "db"]));
  expect(listed(["--author", "db", "--host", "web"]).length).toBe(5);
  // Every --path given must be among the snapshot's paths.
  expect(listed(["--path", b])).toEqual(named("db-ab-weekly", "web-b"));
  expect(listed(["--path", a, "--path", b])).toEqual(named("db-ab-weekly"));
  expect(listed(["--path", `${a}/`])).toEqual(named("web-a-daily", "web-a-both", "db-a", "db-ab-weekly"));
  // Kinds of filter combine: all must hold.
  expect(listed(["--author", "web", "--path", b])).toEqual(named("web-b"));
  expect(listed(["--author", "nobody"])).toEqual([]);
});

test("forget and copy take the same filters", () => {
  const { work, repo, ids } = fiveSnapshots("forget-copy");
  const repo2 = tempDir("forget-copy-repo2");
  ok(cli(work, repo2, ["init", "filesystem"]));
  ok(cli(work, repo, ["copy", "--tag", "weekly", "--to", repo2]));
  expect(listedSnapshots(work, repo2)).toEqual([ids["web-a-both"]!, ids["db-ab-weekly"]!]);
  ok(cli(work, repo, ["copy", "--host", "web", "latest", "--to", repo2]));
  expect(listedSnapshots(work, repo2)).toEqual([ids["web-a-both"]!, ids["db-ab-weekly"]!, ids["web-b"]!]);
  expect(errorReport(fails(cli(work, repo, ["copy", "--to", repo2])))).toContain("Give either --all or a list of snapshots to copy");

  // A policy applies only to what the filters select: the newest of web's snapshots stays, db's are untouched.
  ok(cli(work, repo, ["forget", "--author", "web", "--group-by", "", "--keep-last", "1"]));
  expect(objectIds(repo, "snapshots")).toEqual([ids["db-a"]!, ids["db-ab-weekly"]!, ids["web-b"]!].sort());
  // LAST among db's snapshots.
  ok(cli(work, repo, ["forget", "--author", "db", "LAST"]));
  expect(objectIds(repo, "snapshots")).toEqual([ids["db-a"]!, ids["web-b"]!].sort());
});
