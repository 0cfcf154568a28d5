/**
 * `snapshots`, `ls`, `diff` and `usage` with --json, parsed from the binary's real output and
 * checked against what backup reported, what `cat` and the text output show, and the files on disk.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { catJson, cleanUpAfterThisFile, cli, lines, ok, setup, tempDir } from "./harness.ts";
import { last, messages, ofType, type Message } from "./json-lines.ts";

cleanUpAfterThisFile();

/** A repository with two snapshots of `data/` at fixed times: between them b.txt changed, c.txt went and d.txt came. */
function twoSnapshots(label: string): { work: string; repo: string; dir: string; summaries: Message[] } {
  const { work, repo } = setup(label);
  const dir = path.join(tempDir(`${label}-src`), "data");
  fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
  fs.writeFileSync(path.join(dir, "a.bin"), randomBytes(72, 300_000));
  fs.writeFileSync(path.join(dir, "sub", "b.txt"), "bee\n");
  fs.writeFileSync(path.join(dir, "sub", "c.txt"), "sea\n");
  fs.symlinkSync("a.bin", path.join(dir, "link"));
  const backup = (time: string): Message => last(messages(ok(cli(work, repo, ["backup", "--json", "-q", "--tag", "nightly", "--time", time, dir]))), "summary");
  const first = backup("2024-01-02 03:04:05");
  fs.writeFileSync(path.join(dir, "sub", "b.txt"), "bumblebee\n");
  fs.rmSync(path.join(dir, "sub", "c.txt"));
  fs.writeFileSync(path.join(dir, "sub", "d.txt"), "dee\n");
  const second = backup("2024-02-03 04:05:06");
  return { work, repo, dir, summaries: [first, second] };
}

test("snapshots --json: a snapshot line each, with the IDs backup reported, RFC 3339 times and, asked for, sizes", () => {
  const { work, repo, dir, summaries } = twoSnapshots("json-snapshots");
  const ids = summaries.map((s) => s.snapshot_id as string);
  const listed = messages(ok(cli(work, repo, ["snapshots", "--json"])));
  expect(listed.map((m) => m.message_type)).toEqual(["snapshot", "snapshot"]);
  expect(listed.map((m) => m.id)).toEqual(ids);
  expect(listed[0]).toMatchObject({ short_id: ids[0]!.slice(0, 8), time: "2024-01-02T03:04:05Z", time_zone: "UTC", tags: ["nightly"], paths: [dir] });
  expect(listed[1]!.time).toBe("2024-02-03T04:05:06Z");
  expect(listed[1]!.tree).toBe((catJson(work, repo, ["snapshot", ids[1]!]) as { tree: string }).tree);
  expect(messages(ok(cli(work, repo, ["snapshots", "--json", "-r"]))).map((m) => m.id)).toEqual([...ids].reverse());
  expect(messages(ok(cli(work, repo, ["snapshots", "--json", ids[1]!.slice(0, 6)]))).map((m) => m.id)).toEqual([ids[1]]);

  const sized = messages(ok(cli(work, repo, ["snapshots", "--json", "--file-sizes"])));
  interface Sizes {
    total_bytes: number;
    file_bytes: number;
    metadata_bytes: number;
    new_bytes: number;
    files: { path: string; new_bytes: number; reused_bytes: number }[];
  }
  const sizes = sized.map((m) => m.sizes as Sizes);
  // The first snapshot's new data is what its backup added.
  expect(sizes[0]!.new_bytes).toBe(summaries[0]!.data_added as number);
  expect(sizes[0]!.total_bytes).toBe(sizes[0]!.file_bytes + sizes[0]!.metadata_bytes);
  expect(sizes[0]!.files[0]).toEqual({ path: "data/a.bin", new_bytes: 300_000, reused_bytes: 0 });
  expect(sizes[1]!.files.map((f) => f.path).sort()).toEqual(["data/sub/b.txt", "data/sub/d.txt"]);
  expect(cli(work, repo, ["snapshots", "--json", "--stat"]).code).toBe(2);
});

test("ls --json: the snapshot, then a node line for each path the text listing has, with its metadata", () => {
  const { work, repo, dir, summaries } = twoSnapshots("json-ls");
  const all = messages(ok(cli(work, repo, ["ls", "--json", "LAST"])));
  expect(all[0]).toMatchObject({ message_type: "snapshot", id: summaries[1]!.snapshot_id });
  const nodes = all.slice(1);
  expect(ofType(nodes, "node")).toHaveLength(nodes.length);
  const text = lines(ok(cli(work, repo, ["ls", "LAST"])).stdout).map((l) => l.replace(/\/$/, "").replace(/ -> .*$/, ""));
  expect(nodes.map((n) => n.path)).toEqual(text);
  const byPath = new Map(nodes.map((n) => [n.path as string, n]));
  expect(byPath.get("data/link")).toMatchObject({ type: "symlink", target: "a.bin" });
  expect(byPath.get("data/sub")).toMatchObject({ type: "dir" });
  const a = byPath.get("data/a.bin")!;
  const stat = fs.statSync(path.join(dir, "a.bin"));
  expect(a).toMatchObject({ type: "file", metadata: { type: "posix", size: 300_000, mode: stat.mode, uid: stat.uid } });
  expect(Date.parse((a.metadata as { mtime: string }).mtime)).toBe(Math.floor(stat.mtimeMs));
});

test("diff --json: a change line per difference, then statistics naming both snapshots (or null for the filesystem)", () => {
  const { work, repo, dir, summaries } = twoSnapshots("json-diff");
  const all = messages(ok(cli(work, repo, ["diff", "--json", "LAST~", "LAST"])));
  const changes = ofType(all, "change").map((c) => [c.modifier, c.path, c.type]);
  expect(changes.sort()).toEqual(
    [
      ["+", "data/sub/d.txt", "file"],
      ["-", "data/sub/c.txt", "file"],
      ["C", "data/sub/b.txt", "file"],
    ].sort(),
  );
  expect(last(all, "statistics")).toEqual({
    message_type: "statistics",
    source_snapshot: summaries[0]!.snapshot_id,
    target_snapshot: summaries[1]!.snapshot_id,
    added: 1,
    removed: 1,
    contents_changed: 1,
    metadata_changed: 0,
  });
  fs.rmSync(path.join(dir, "link"));
  const now = messages(ok(cli(work, repo, ["diff", "--json", "LAST"])));
  expect(ofType(now, "change").map((c) => [c.modifier, c.path])).toEqual([["-", "data/link"]]);
  expect(last(now, "statistics")).toMatchObject({ target_snapshot: null, removed: 1, added: 0 });
});

test("usage --json: one usage line whose file sizes are the repository's", () => {
  const { work, repo } = twoSnapshots("json-usage");
  const u = last(messages(ok(cli(work, repo, ["usage", "--json"]))), "usage");
  const bytesIn = (folder: string): number => fs.readdirSync(path.join(repo, folder)).reduce((n, f) => n + fs.statSync(path.join(repo, folder, f)).size, 0);
  expect(u).toMatchObject({
    snapshots: 2,
    first_time: "2024-01-02T03:04:05Z",
    last_time: "2024-02-03T04:05:06Z",
    backend: "Filesystem",
    unused_bytes: 0,
    packs: fs.readdirSync(path.join(repo, "packs")).length,
    indexes: fs.readdirSync(path.join(repo, "indexes")).length,
    pack_file_bytes: bytesIn("packs"),
    index_file_bytes: bytesIn("indexes"),
    snapshot_file_bytes: bytesIn("snapshots"),
  });
  expect(u.total_file_bytes).toBe(bytesIn("packs") + bytesIn("indexes") + bytesIn("snapshots"));
});
