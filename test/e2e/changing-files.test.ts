/**
 * Files that change while backup reads them: grown, shrunk, rewritten in place, replaced by a
 * rename, deleted, turned into a directory, gone before they were opened, or never still. The
 * binary's read hook ($BACKPAK_READ_HOOK) changes the file at an exact point of its read, so each
 * case is deterministic. The backup completes and warns naming the file; the repository checks
 * clean; a restore gives one whole version of the file (never a torn mix) with the size and mtime
 * that version had, or leaves the file out (exit status 3) when it could not be read again.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { catJson, cleanUpAfterThisFile, cli, escapeRegex, ok, setup, tempDir, type RunResult } from "./harness.ts";

cleanUpAfterThisFile();

const MiB = 1 << 20;
/** Two 4 MiB read blocks: a change after block 1 lands in the middle of the read. */
const OLD = randomBytes(61, 6 * MiB);
const NEW = randomBytes(62, 6 * MiB);

interface Changed {
  readonly r: RunResult;
  readonly work: string;
  readonly repo: string;
  /** The file that changes (absolute, as backup names it). */
  readonly file: string;
}

/**
 * Backs up a directory holding `a-first.txt`, `changing.bin` (OLD) and `steady.txt`, running the
 * shell `script` (with $F the changing file and $N a file outside holding NEW) after `block`
 * blocks of the file were read, on its first `attempts` reads. `hookOn` names the file whose read
 * runs the hook (default: F).
 */
function backupWhileChanging(label: string, script: string, opts: { block?: number; attempts?: number; hookOn?: string; env?: Record<string, string> } = {}): Changed {
  const { work, repo } = setup(label);
  const dir = tempDir(`${label}-data`);
  const spare = tempDir(`${label}-spare`);
  const file = path.join(dir, "changing.bin");
  fs.writeFileSync(file, OLD);
  fs.writeFileSync(path.join(dir, "steady.txt"), "steady");
  fs.writeFileSync(path.join(dir, "a-first.txt"), "read first");
  fs.writeFileSync(path.join(spare, "new.bin"), NEW);
  const hook = { file: opts.hookOn ? path.join(dir, opts.hookOn) : file, block: opts.block ?? 1, attempts: opts.attempts ?? 1, run: ["sh", "-c", script] };
  const env = { BACKPAK_READ_HOOK: JSON.stringify(hook), F: file, N: path.join(spare, "new.bin"), ...opts.env };
  const r = cli(work, repo, ["backup", dir], { env });
  return { r, work, repo, file };
}

interface FileNode {
  chunks: string[];
  metadata: { size: number };
}

/** The snapshot's node for `name` in its one top-level directory. */
function nodeOf(work: string, repo: string, name: string): FileNode | undefined {
  const snapshot = catJson(work, repo, ["snapshot", "LAST"]) as { tree: string };
  const root = catJson(work, repo, ["blob", snapshot.tree]) as Record<string, { tree: string }>;
  const top = catJson(work, repo, ["blob", Object.values(root)[0]!.tree]) as Record<string, FileNode>;
  return top[name];
}

/** Checks the repository, restores the snapshot, and returns the restored directory. */
function checkAndRestore(c: Changed): string {
  ok(cli(c.work, c.repo, ["check", "--read-packs"]));
  const out = tempDir("restored");
  ok(cli(c.work, c.repo, ["restore", "--times", "--output", out, "LAST"]));
  expect(fs.readFileSync(path.join(out, "steady.txt"), "utf8")).toBe("steady");
  return out;
}

/** Asserts the snapshot holds `expected` as the file, with the size and mtime it had when read (its mtime now). */
function expectStored(c: Changed, expected: Uint8Array): void {
  const out = checkAndRestore(c);
  const restored = path.join(out, "changing.bin");
  expect(Buffer.from(fs.readFileSync(restored)).equals(Buffer.from(expected))).toBe(true);
  expect(fs.statSync(restored, { bigint: true }).mtimeNs).toBe(fs.statSync(c.file, { bigint: true }).mtimeNs);
  const node = nodeOf(c.work, c.repo, "changing.bin")!;
  expect(node.metadata.size).toBe(expected.length);
  const chunkBytes = node.chunks.map((id) => cli(c.work, c.repo, ["cat", "blob", id]).stdoutBytes.length).reduce((a, b) => a + b, 0);
  expect(chunkBytes).toBe(expected.length);
}

/** Asserts the snapshot was stored without the file, and the run exited 3. */
function expectLeftOut(c: Changed): void {
  expect(c.r.code).toBe(3);
  expect(c.r.stdout).toContain("Snaphsot ");
  expect(c.r.stderr).toMatch(new RegExp(`${escapeRegex(c.file)} changed while it was being read and can't be read again \\(.+\\); it is left out`));
  expect(c.r.stderr).toContain("1 file changed while being read and couldn't be read again: left out of the snapshot (exit status 3)");
  const out = checkAndRestore(c);
  expect(fs.existsSync(path.join(out, "changing.bin"))).toBe(false);
  expect(nodeOf(c.work, c.repo, "changing.bin")).toBeUndefined();
}

/** Asserts the run succeeded and warned that the file changed and was read again. */
function expectReadAgain(c: Changed): void {
  ok(c.r);
  expect(c.r.stderr).toContain(`${c.file} changed while it was being read; stored as read again`);
}

test("a file that grows while it is read is stored as it is after growing", () => {
  const c = backupWhileChanging("grow", 'head -c 1000 "$N" >> "$F"');
  expectReadAgain(c);
  expectStored(c, Buffer.concat([OLD, NEW.subarray(0, 1000)]));
});

test("a file that shrinks while it is read is stored as it is after shrinking", () => {
  const c = backupWhileChanging("shrink", 'truncate -s 1048576 "$F"');
  expectReadAgain(c);
  expectStored(c, OLD.subarray(0, MiB));
});

test("a file rewritten in place while it is read is stored whole in its new version, not torn", () => {
  const c = backupWhileChanging("rewrite", 'dd if="$N" of="$F" conv=notrunc bs=1M status=none');
  expectReadAgain(c);
  expectStored(c, NEW);
});

test("a file replaced by a rename while it is read is stored as the new file", () => {
  const c = backupWhileChanging("replace", 'mv "$N" "$F"');
  expectReadAgain(c);
  expectStored(c, NEW);
});

test("a file deleted while it is read is left out, with a warning and exit status 3", () => {
  expectLeftOut(backupWhileChanging("delete", 'rm "$F"'));
});

test("a file turned into a directory while it is read is left out, with a warning and exit status 3", () => {
  expectLeftOut(backupWhileChanging("to-dir", 'rm "$F" && mkdir "$F"'));
});

test("a file deleted before it could be opened is left out, with a warning and exit status 3", () => {
  // The file read just before it (one worker reads both, in order) deletes it as it is opened.
  expectLeftOut(backupWhileChanging("vanish", 'rm "$F"', { hookOn: "a-first.txt", block: 0, env: { BACKPAK_WORKERS: "1" } }));
});

test("a file that changes on every read is stored as last read, with a warning that it may be inconsistent", () => {
  // Each of the three reads sees the file grow by a byte after its first block: it never holds still.
  const c = backupWhileChanging("restless", 'printf x >> "$F"', { attempts: 3 });
  ok(c.r);
  expect(c.r.stderr).toContain(`${c.file} kept changing while it was being read (3 times); stored as last read, but its contents may be inconsistent`);
  // The last read stopped at the size the file had when it was opened: OLD and two bytes.
  const out = checkAndRestore(c);
  expect(Buffer.from(fs.readFileSync(path.join(out, "changing.bin"))).equals(Buffer.concat([OLD, Buffer.from("xx")]))).toBe(true);
  const node = nodeOf(c.work, c.repo, "changing.bin")!;
  expect(node.metadata.size).toBe(OLD.length + 2);
});
