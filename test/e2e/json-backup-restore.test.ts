/**
 * `backup --json` and `restore --json`, parsed from the binary's real output: every stdout line is
 * a JSON object with a message_type, status lines come first, and the summary's numbers are
 * checked against the repository (`snapshots --json`, `usage --json`) and the files themselves.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pinAccessTimes } from "../helpers/access-times.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, ok, setup, tempDir } from "./harness.ts";
import { last, messages, ofType, RFC3339_UTC, type Message } from "./json-lines.ts";

cleanUpAfterThisFile();

/** `data/` with a.bin (random, 300 kB), sub/b.txt and sub/c.txt. */
function source(): { dir: string; bytes: number } {
  const dir = path.join(tempDir("json-src"), "data");
  fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
  fs.writeFileSync(path.join(dir, "a.bin"), randomBytes(71, 300_000));
  fs.writeFileSync(path.join(dir, "sub", "b.txt"), "bee\n");
  fs.writeFileSync(path.join(dir, "sub", "c.txt"), "sea\n");
  return { dir, bytes: 300_000 + 8 };
}

/** Runs `backup --json`, checks its status lines, and returns its summary. */
function backupJson(work: string, repo: string, args: readonly string[]): Message {
  const all = messages(ok(cli(work, repo, ["backup", "--json", ...args])));
  const summary = last(all, "summary");
  const statuses = all.slice(0, -1);
  expect(statuses.length).toBeGreaterThan(0);
  for (const s of statuses) {
    expect(s.message_type).toBe("status");
    expect(s.percent_done as number).toBeGreaterThanOrEqual(0);
    expect(s.percent_done as number).toBeLessThanOrEqual(1);
    expect(s.files_done as number).toBeLessThanOrEqual(Math.max(s.total_files as number, s.files_done as number));
    expect(Array.isArray(s.current_files)).toBe(true);
  }
  expect(summary.backup_start).toMatch(RFC3339_UTC);
  expect(summary.backup_end).toMatch(RFC3339_UTC);
  expect(summary.total_duration as number).toBeGreaterThanOrEqual(0);
  return summary;
}

const snapshotIds = (work: string, repo: string): string[] => messages(ok(cli(work, repo, ["snapshots", "--json"]))).map((m) => m.id as string);
const usage = (work: string, repo: string): Message => last(messages(ok(cli(work, repo, ["usage", "--json"]))), "usage");

test("backup --json: status lines, then a summary whose snapshot, counts and bytes match the repository's", () => {
  const { work, repo } = setup("json-backup");
  const { dir, bytes } = source();

  const first = backupJson(work, repo, [dir]);
  expect(first).toMatchObject({ dry_run: false, files_new: 3, files_changed: 0, files_unmodified: 0, files_left_out: 0, dirs_new: 2, dirs_changed: 0, dirs_unmodified: 0 });
  expect(first).toMatchObject({ total_files_processed: 3, total_bytes_processed: bytes, bytes_read: bytes });
  expect(snapshotIds(work, repo)).toEqual([first.snapshot_id as string]);
  // What the snapshot added is what the repository holds: every blob, once.
  const after1 = usage(work, repo);
  expect(first.data_added).toBe(after1.unique_bytes);
  expect(first.data_added_packed as number).toBeGreaterThan(0);
  expect(first.data_added_packed as number).toBeLessThan(after1.pack_file_bytes as number);

  // One file changed: read again, both directories above it changed.
  fs.writeFileSync(path.join(dir, "sub", "b.txt"), "bumblebee\n");
  const second = backupJson(work, repo, [dir]);
  expect(second).toMatchObject({ files_new: 0, files_changed: 1, files_unmodified: 2, dirs_new: 0, dirs_changed: 2, bytes_read: 10, total_bytes_processed: bytes + 6 });
  expect(snapshotIds(work, repo)).toEqual([first.snapshot_id as string, second.snapshot_id as string]);

  // Nothing changed since (access times, which reading moves, put back): no snapshot, and why.
  pinAccessTimes(dir);
  backupJson(work, repo, ["--allow-repeat", dir]);
  pinAccessTimes(dir);
  const same = backupJson(work, repo, [dir]);
  expect(same).toMatchObject({ files_unmodified: 3, dirs_unmodified: 2, dirs_changed: 0, bytes_read: 0, data_added: 0, skipped: "repeat" });
  expect(same.snapshot_id).toBeUndefined();
});

test("backup --json counts the packed bytes of a backup that adds only trees", () => {
  const { work, repo } = setup("json-trees");
  const { dir } = source();
  backupJson(work, repo, [dir]);
  const before = usage(work, repo);
  // Same bytes, new mtime: the file is read again, its chunks are already stored, the trees are new.
  fs.utimesSync(path.join(dir, "a.bin"), new Date("2020-01-01T00:00:00Z"), new Date("2020-01-01T00:00:00Z"));
  const summary = backupJson(work, repo, [dir]);
  expect(summary).toMatchObject({ files_changed: 1, bytes_read: 300_000 });
  const after = usage(work, repo);
  expect(summary.data_added).toBe((after.unique_bytes as number) - (before.unique_bytes as number));
  expect(summary.data_added_packed as number).toBeGreaterThan(0);
  expect(summary.data_added_packed as number).toBeLessThan((after.pack_file_bytes as number) - (before.pack_file_bytes as number));
});

test("restore --json: a change line per path written, status, then a summary of what was written", () => {
  const { work, repo } = setup("json-restore");
  const { dir, bytes } = source();
  const id = backupJson(work, repo, [dir]).snapshot_id;
  const out = tempDir("json-restore-out");

  const all = messages(ok(cli(work, repo, ["restore", "--json", "-o", out, "LAST"])));
  const summary = last(all, "summary");
  const changes = ofType(all, "change");
  expect(changes.map((c) => [c.modifier, c.path, c.type]).sort()).toEqual(
    [
      ["+", path.join(out, "a.bin"), "file"],
      ["+", path.join(out, "sub"), "dir"],
      ["+", path.join(out, "sub", "b.txt"), "file"],
      ["+", path.join(out, "sub", "c.txt"), "file"],
    ].sort(),
  );
  expect(ofType(all, "status").length).toBeGreaterThan(0);
  expect(all.length).toBe(changes.length + ofType(all, "status").length + 1);
  expect(summary).toMatchObject({ dry_run: false, snapshot_id: id, total_files: 3, files_restored: 3, total_bytes: bytes, bytes_restored: bytes, added: 4, removed: 0, contents_changed: 0 });
  expect(contentsOf(out)).toEqual(contentsOf(dir));

  // -q: the summary alone.
  fs.rmSync(path.join(out, "sub", "c.txt"));
  const quiet = messages(ok(cli(work, repo, ["restore", "--json", "-q", "-o", out, "LAST"])));
  expect(quiet.map((m) => m.message_type)).toEqual(["summary"]);
  expect(quiet[0]).toMatchObject({ snapshot_id: id, files_restored: 1, bytes_restored: 4, added: 1 });
  expect(contentsOf(out)).toEqual(contentsOf(dir));
});
