/**
 * `check`, `forget` and `prune` with --json, parsed from the binary's real output: check's summary
 * names a missing pack, forget's verdicts give the rules of the policy that keep each snapshot, and
 * prune's summary agrees with the packs left afterwards.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pinAccessTimes } from "../helpers/access-times.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, objectIds, ok, setup, tempDir } from "./harness.ts";
import { last, messages, ofType, type Message } from "./json-lines.ts";

cleanUpAfterThisFile();

/** Snapshots of `data/` at these times, each holding a file of its own (so forgetting one leaves its pack unused); returns their IDs. */
function snapshotsAt(work: string, repo: string, times: readonly [string, string[]][]): string[] {
  const dir = path.join(tempDir("json-maint-src"), "data");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "shared.txt"), "in every snapshot\n");
  return times.map(([time, tags], i) => {
    fs.rmSync(path.join(dir, `only-${i - 1}.bin`), { force: true });
    fs.writeFileSync(path.join(dir, `only-${i}.bin`), randomBytes(80 + i, 50_000));
    const args = ["backup", "--json", "-q", "--time", time, ...tags.flatMap((t) => ["--tag", t]), dir];
    return last(messages(ok(cli(work, repo, args))), "summary").snapshot_id as string;
  });
}

const verdictsOf = (all: Message[]): [string, string, unknown][] => ofType(all, "verdict").map((v) => [v.snapshot_id as string, v.action as string, v.reasons]);

test("check --json: a summary of a sound repository, and one naming the missing pack of a damaged one (exit 1)", () => {
  const { work, repo } = setup("json-check");
  const ids = snapshotsAt(work, repo, [["2024-01-01 10:00:00", []], ["2024-01-02 10:00:00", []]]);
  const packs = objectIds(repo, "packs");
  const sound = messages(ok(cli(work, repo, ["check", "--json"])));
  expect(sound).toEqual([
    { message_type: "summary", read_packs: false, num_errors: 0, packs: packs.length, snapshots: ids.length, broken_packs: [], damaged_snapshots: [], suggest_rebuild_index: false },
  ]);
  const read = messages(ok(cli(work, repo, ["check", "--json", "--read-packs"])));
  expect(ofType(read, "status").length).toBeGreaterThan(0);
  for (const s of ofType(read, "status")) expect(s.total_packs).toBe(packs.length);
  expect(last(read, "summary")).toMatchObject({ read_packs: true, num_errors: 0 });

  fs.rmSync(path.join(repo, "packs", `${packs[0]}.pack`));
  const r = cli(work, repo, ["check", "--json"]);
  expect(r.code).toBe(1);
  const summary = last(messages(r), "summary");
  expect(summary.broken_packs).toEqual([packs[0]]);
  expect(summary.num_errors as number).toBeGreaterThan(0);
  expect(JSON.parse(r.stderr.trimEnd().split("\n").at(-1)!)).toMatchObject({ message_type: "exit_error", code: 1, message: "Check failed!" });
});

test("forget --json: a verdict per snapshot with the rules that keep it, then a summary of what went", () => {
  const { work, repo } = setup("json-forget");
  const [jan1Early, jan1Late, jan2, jan9] = snapshotsAt(work, repo, [
    ["2024-01-01 10:00:00", ["keep"]],
    ["2024-01-01 12:00:00", []],
    ["2024-01-02 10:00:00", []],
    ["2024-01-09 10:00:00", []],
  ]);
  const policy = ["--keep-last", "1", "--keep-daily", "2", "--keep-weekly", "2", "--keep-tag", "keep"];
  const expected = [
    [jan9, "keep", ["last snapshot", "daily snapshot", "weekly snapshot"]],
    [jan2, "keep", ["daily snapshot", "weekly snapshot"]],
    [jan1Late, "remove", []],
    [jan1Early, "keep", ["tagged keep"]],
  ];
  const dry = messages(ok(cli(work, repo, ["forget", "--json", "-n", ...policy])));
  expect(verdictsOf(dry)).toEqual(expected as [string, string, unknown][]);
  for (const v of ofType(dry, "verdict")) expect(v).toMatchObject({ group_paths: (v.snapshot as { paths: string[] }).paths, snapshot: { id: v.snapshot_id } });
  expect(last(dry, "summary")).toEqual({ message_type: "summary", dry_run: true, kept: 3, removed: [jan1Late] });
  expect(objectIds(repo, "snapshots")).toHaveLength(4);

  const real = messages(ok(cli(work, repo, ["forget", "--json", ...policy])));
  expect(verdictsOf(real)).toEqual(expected as [string, string, unknown][]);
  expect(last(real, "summary")).toMatchObject({ dry_run: false, removed: [jan1Late] });
  expect(messages(ok(cli(work, repo, ["snapshots", "--json"]))).map((m) => m.id)).toEqual([jan1Early, jan2, jan9]);

  // By reference, and DUPLICATES: two backups of a tree whose access times are put back between them have the same tree.
  const dir = (ofType(real, "verdict")[0]!.snapshot as { paths: string[] }).paths[0]!;
  const repeat = (time: string): string => {
    pinAccessTimes(dir);
    return last(messages(ok(cli(work, repo, ["backup", "--json", "-q", "--allow-repeat", "--time", time, dir]))), "summary").snapshot_id as string;
  };
  const original = repeat("2024-01-10 10:00:00");
  const dup = repeat("2024-01-11 10:00:00");
  const dups = messages(ok(cli(work, repo, ["forget", "--json", "DUPLICATES"])));
  expect(verdictsOf(dups)).toEqual([[dup, "remove", [`duplicate of ${original}`]]]);
  const named = messages(ok(cli(work, repo, ["forget", "--json", jan2!.slice(0, 8)])));
  expect(verdictsOf(named)).toEqual([[jan2!, "remove", ["named"]]]);
  expect(last(named, "summary")).toEqual({ message_type: "summary", dry_run: false, kept: 0, removed: [jan2] });
});

test("prune --json: a summary whose kept packs are the ones left, and a second prune finds nothing to do", () => {
  const { work, repo } = setup("json-prune");
  const [, second] = snapshotsAt(work, repo, [["2024-01-01 10:00:00", []], ["2024-01-02 10:00:00", []], ["2024-01-03 10:00:00", []]]);
  ok(cli(work, repo, ["forget", second!]));
  const before = objectIds(repo, "packs");
  const dry = last(messages(ok(cli(work, repo, ["prune", "--json", "-n"]))), "summary");
  expect(objectIds(repo, "packs")).toEqual(before);
  const pruned = messages(ok(cli(work, repo, ["prune", "--json"])));
  const summary = last(pruned, "summary");
  expect({ ...dry, dry_run: false } as Message).toEqual(summary);
  expect((summary.packs_dropped as number) + (summary.packs_rewritten as number)).toBeGreaterThan(0);
  expect(summary.packs_kept as number).toBe(before.length - (summary.packs_dropped as number) - (summary.packs_rewritten as number));
  const again = last(messages(ok(cli(work, repo, ["prune", "--json"]))), "summary");
  expect(again).toMatchObject({ packs_rewritten: 0, packs_dropped: 0, packs_unlisted: 0, packs_kept: objectIds(repo, "packs").length });
  const usage = last(messages(ok(cli(work, repo, ["usage", "--json"]))), "usage");
  expect(again.bytes_kept).toBe(usage.unique_bytes);
});

test("forget --prune --json: forget's verdicts and summary, then prune's summary, every line JSON", () => {
  const { work, repo } = setup("json-forget-prune");
  const [first, second] = snapshotsAt(work, repo, [["2024-01-01 10:00:00", []], ["2024-01-02 10:00:00", []]]);
  const all = messages(ok(cli(work, repo, ["forget", "--json", "--prune", "--keep-last", "1"])));
  expect(verdictsOf(all)).toEqual([
    [second!, "keep", ["last snapshot"]],
    [first!, "remove", []],
  ]);
  const summaries = ofType(all, "summary");
  expect(summaries).toHaveLength(2);
  expect(summaries[0]).toMatchObject({ kept: 1, removed: [first] });
  expect(all.at(-1)).toBe(summaries[1]!);
  expect((summaries[1]!.packs_dropped as number) + (summaries[1]!.packs_rewritten as number)).toBeGreaterThan(0);
  expect(objectIds(repo, "snapshots")).toEqual([second!]);
  ok(cli(work, repo, ["check", "--read-packs"]));
});
