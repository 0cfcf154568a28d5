/**
 * Commands sharing one filesystem repository, run as a user would: concurrent backups of different
 * and overlapping trees all succeed and every snapshot restores byte for byte; a prune started
 * during a backup or a restore is refused (exit 11, naming the holder) or, with --retry-lock, waits;
 * a SIGKILLed command's lock blocks nothing; other hosts' locks block while fresh; `unlock` removes
 * stale locks; locks are removed on success, failure and interruption, and skip filter and cache;
 * --no-lock reads a repository its user can't write to. A run is held mid-way by
 * BACKPAK_FAULT=…:hold until the test lets it go.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeLock, encodeLock, type Lock } from "../../src/format/lock.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { writeSeededTree } from "../helpers/seeded-tree.ts";
import { expectEveryRestore, heldBackup, heldRun, locksIn, ONE_WORKER, shortIdOf, startRun, stderrUntil, stopRunsAfterEach, whileRunning } from "./concurrency-helpers.ts";
import { cleanUpAfterThisFile, cli, cliAsync, contentsOf, errorReport, fails, home, letOthersRead, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();
stopRunsAfterEach();

/** `n` trees under one directory; overlapping ones share most of their files. */
function trees(label: string, n: number, overlapping: boolean): string[] {
  const parent = tempDir(label);
  return Array.from({ length: n }, (_, i) =>
    writeSeededTree(path.join(parent, `tree${i}`), { seed: 100 + i, own: 3, maxSize: 1 << 20, ...(overlapping ? { sharedSeed: 1, shared: 4 } : {}) }),
  );
}

for (const n of [2, 4]) {
  for (const overlapping of [false, true]) {
    test(`${n} concurrent backups of ${overlapping ? "overlapping" : "different"} trees all succeed, check clean and restore byte for byte`, async () => {
      const { repo } = setup(`conc-${n}-${overlapping}`);
      const srcs = trees(`conc-src-${n}-${overlapping}`, n, overlapping);
      // Each in its own working directory, as separate machines or cron jobs would be.
      const runs = await Promise.all(srcs.map((src) => cliAsync(tempDir("conc-work"), repo, ["backup", src], { env: ONE_WORKER })));
      const expected = new Map(runs.map((r, i) => [shortIdOf(ok(r)), contentsOf(srcs[i]!)]));
      expect(expected.size).toBe(n);
      expect(locksIn(repo)).toEqual([]);
      ok(cli(tempDir("conc-check"), repo, ["check", "--read-packs"]));
      expectEveryRestore(repo, expected);
    });
  }
}

/** A repository with two snapshots of one tree, the first forgotten, so a prune has packs to drop and rewrite. */
function repositoryWithGarbage(label: string): { work: string; repo: string; kept: Map<string, Record<string, string>> } {
  const { work, repo } = setup(label);
  const src = writeSeededTree(path.join(tempDir(`${label}-src`), "a"), { seed: 7, own: 6, maxSize: 1 << 20 });
  ok(cli(work, repo, ["backup", src]));
  fs.rmSync(path.join(src, "own-0"));
  const second = shortIdOf(ok(cli(work, repo, ["backup", src])));
  ok(cli(work, repo, ["forget", "LAST~"]));
  return { work, repo, kept: new Map([[second, contentsOf(src)]]) };
}

test("a prune started during a backup is refused with exit 11 naming the backup's lock; with --retry-lock it waits, then prunes", async () => {
  const { work, repo, kept } = repositoryWithGarbage("prune-during");
  const src = writeSeededTree(path.join(tempDir("prune-during-src"), "b"), { seed: 8, own: 4, maxSize: 1 << 20 });
  const release = path.join(tempDir("prune-during-release"), "go");
  const backupWork = tempDir("prune-during-backup");
  const backup = heldBackup(backupWork, repo, src, release);
  await whileRunning(backup, () => locksIn(repo).length === 1);

  const refused = fails(cli(work, repo, ["prune"]));
  expect(refused.code).toBe(11);
  const report = errorReport(refused);
  expect(report).toContain(`${repo} is locked by \`backup\` (PID ${backup.pid}, user `);
  expect(report).toContain(`on host ${os.hostname()}) since `);
  expect(report).toContain(`(locks/${locksIn(repo)[0]})`);
  expect(report).toContain("`backpak unlock`");
  expect(report).toContain("--retry-lock DURATION");

  const prune = startRun(work, repo, ["--retry-lock", "10m", "prune"], ONE_WORKER);
  // The prune has seen the backup's lock and is waiting: only now may the backup finish.
  const waiting = await stderrUntil(prune, "trying again");
  fs.writeFileSync(release, "");
  const [backupCode, backupErr] = await Promise.all([backup.exited, new Response(backup.stderr).text()]);
  expect(backupCode, backupErr).toBe(0);
  const pruned = await waiting.finished;
  expect(pruned.code, pruned.stderr).toBe(0);
  expect(pruned.stderr).toMatch(/is locked by `backup`[^\n]*; trying again for up to \d+ s/);
  expect(locksIn(repo)).toEqual([]);

  ok(cli(work, repo, ["check", "--read-packs"]));
  const snapshots = ok(cli(work, repo, ["snapshots"])).stdout;
  const backedUp = [...snapshots.matchAll(/^snapshot ([0-9a-v]+)/gm)].map((m) => m[1]!).find((id) => !kept.has(id.slice(0, 8)))!;
  expectEveryRestore(repo, new Map([...kept, [backedUp.slice(0, 8), contentsOf(src)]]));
});

test("a SIGKILLed backup or prune leaves its lock, which blocks nothing on this host: the next backup and prune succeed", async () => {
  const { work, repo, kept } = repositoryWithGarbage("killed-lock");
  const src = writeSeededTree(path.join(tempDir("killed-lock-src"), "c"), { seed: 9, own: 3, maxSize: 1 << 20 });
  const never = path.join(tempDir("killed-lock-release"), "never");
  for (const args of [["backup", src], ["prune"]]) {
    const proc = heldRun(tempDir("killed-lock-work"), repo, args, "compress", never);
    await whileRunning(proc, () => locksIn(repo).length === 1);
    proc.kill("SIGKILL");
    await proc.exited;
    expect(locksIn(repo).length).toBe(1);
    const after = shortIdOf(ok(cli(work, repo, ["backup", src])));
    ok(cli(work, repo, ["prune"]));
    kept.set(after, contentsOf(src));
    expect(locksIn(repo).length).toBe(1);
    ok(cli(work, repo, ["unlock"]));
    expect(locksIn(repo)).toEqual([]);
  }
  ok(cli(work, repo, ["check", "--read-packs"]));
  expectEveryRestore(repo, kept);
});

test("a prune during a restore is refused: readers hold shared locks, so packs can't vanish under them", async () => {
  const { work, repo, kept } = repositoryWithGarbage("prune-restore");
  const [id, contents] = [...kept][0]!;
  const out = tempDir("prune-restore-out");
  const release = path.join(tempDir("prune-restore-release"), "go");
  const restore = heldRun(tempDir("prune-restore-work"), repo, ["restore", "--output", out, id], "decompress", release);
  await whileRunning(restore, () => locksIn(repo).length === 1);
  const refused = fails(cli(work, repo, ["prune"]));
  expect(refused.code).toBe(11);
  expect(errorReport(refused)).toContain(`is locked by \`restore\` (PID ${restore.pid}`);
  fs.writeFileSync(release, "");
  expect(await restore.exited).toBe(0);
  expect(contentsOf(out)).toEqual(contents);
  ok(cli(work, repo, ["prune"]));
});

/** Writes a lock object as another process (of another host, unless said) would have. */
function craftLock(repo: string, lock: Partial<Lock>): string {
  const now = Date.now();
  const bytes = encodeLock({ host: "other-host", pid: 4321, user: "backup-bot", command: "backup", exclusive: false, created: now, refreshed: now, ...lock });
  const id = hashId<"lock">(bytes);
  fs.writeFileSync(path.join(repo, "locks", id), bytes);
  return id;
}

/** The ID of a process that has exited. */
const deadPid = (): number => Bun.spawnSync(["true"]).pid;

test("another host's fresh lock blocks prune; one not refreshed for 30 minutes doesn't", () => {
  const { work, repo } = repositoryWithGarbage("foreign-lock");
  const fresh = craftLock(repo, { refreshed: Date.now() - 29 * 60_000 });
  const refused = fails(cli(work, repo, ["prune"]));
  expect(refused.code).toBe(11);
  expect(errorReport(refused)).toContain(`is locked by \`backup\` (PID 4321, user backup-bot on host other-host) since `);
  // Shared with a backup's lock, a read or another backup goes on.
  ok(cli(work, repo, ["snapshots"]));
  fs.rmSync(path.join(repo, "locks", fresh));
  const old = craftLock(repo, { command: "prune", exclusive: true, refreshed: Date.now() - 31 * 60_000 });
  ok(cli(work, repo, ["prune"]));
  expect(locksIn(repo)).toEqual([old]);
});

test("unlock removes stale locks only; --remove-all removes every lock", () => {
  const { work, repo } = setup("unlock");
  const dead = craftLock(repo, { host: os.hostname(), pid: deadPid() });
  const old = craftLock(repo, { refreshed: Date.now() - 45 * 60_000 });
  fs.writeFileSync(path.join(repo, "locks", "garbage"), "not a lock");
  const fresh = craftLock(repo, { command: "prune", exclusive: true });
  const r = ok(cli(work, repo, ["unlock"]));
  expect(r.stdout).toBe("Removed 3 locks; 1 held by running commands kept (--remove-all removes them too)\n");
  expect(locksIn(repo)).toEqual([fresh]);
  expect(locksIn(repo)).not.toContain(dead);
  expect(locksIn(repo)).not.toContain(old);
  expect(ok(cli(work, repo, ["unlock", "--remove-all"])).stdout).toBe("Removed 1 lock\n");
  expect(locksIn(repo)).toEqual([]);
});

test("a command's lock is gone after it succeeds, fails or is interrupted", async () => {
  const { work, repo } = setup("release");
  const src = writeSeededTree(path.join(tempDir("release-src"), "d"), { seed: 10, own: 3, maxSize: 1 << 20 });
  ok(cli(work, repo, ["backup", src]));
  expect(locksIn(repo)).toEqual([]);
  fails(cli(work, repo, ["restore", "--output", tempDir("release-out"), "vvvvvvvv"]));
  expect(locksIn(repo)).toEqual([]);
  fs.appendFileSync(path.join(src, "own-0"), "more");
  const proc = heldBackup(work, repo, src, path.join(tempDir("release-never"), "never"));
  await whileRunning(proc, () => locksIn(repo).length === 1);
  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(143);
  expect(locksIn(repo)).toEqual([]);
});

test("a repository without locks/ (as backpak 0.3.0 makes them) gets one with the first lock", () => {
  const { work, repo } = setup("no-locks-dir");
  fs.rmdirSync(path.join(repo, "locks"));
  ok(cli(work, repo, ["snapshots"]));
  const src = writeSeededTree(path.join(tempDir("no-locks-src"), "e"), { seed: 11, own: 2, maxSize: 1 << 16 });
  ok(cli(work, repo, ["backup", src]));
  expect(locksIn(repo)).toEqual([]);
});

// As root, permission bits don't stop writes, so the reads are made as nobody (uid 65534).
test("--no-lock lets restore and check read a repository their user can't write to; writers refuse it", () => {
  const { work, repo } = setup("no-lock");
  const src = writeSeededTree(path.join(tempDir("no-lock-src"), "f"), { seed: 12, own: 3, maxSize: 1 << 20 });
  const id = shortIdOf(ok(cli(work, repo, ["backup", src])));
  letOthersRead(repo);
  fs.chmodSync(repo, 0o755);
  const reader = tempDir("no-lock-reader");
  fs.chmodSync(reader, 0o777);
  const out = path.join(reader, "out");
  const as = { asUser: 65534, cwd: reader };
  const refused = fails(cli(reader, repo, ["restore", "--output", out, id], as));
  expect(errorReport(refused)).toContain(`Couldn't lock ${repo} for \`restore\``);
  expect(errorReport(refused)).toContain("give --no-lock before the command");
  ok(cli(reader, repo, ["--no-lock", "restore", "--output", out, id], as));
  expect(contentsOf(out)).toEqual(contentsOf(src));
  ok(cli(reader, repo, ["--no-lock", "check", "--read-packs"], as));
  const writer = fails(cli(work, repo, ["--no-lock", "prune"]));
  expect(writer.code).toBe(2);
  expect(errorReport(writer)).toContain("`prune` writes to the repository, so it always takes a lock");
});

test("in a filtered repository, locks skip the filter and the local cache: other hosts read them as plain JSON", async () => {
  const { work, repo } = setup("filtered-lock");
  const rot13 = "tr A-Za-z N-ZA-Mn-za-m";
  const config = path.join(repo, "config.toml");
  fs.writeFileSync(config, `filter = "${rot13}"\nunfilter = "${rot13}"\n${fs.readFileSync(config, "utf8")}`);
  const src = writeSeededTree(path.join(tempDir("filtered-lock-src"), "g"), { seed: 13, own: 2, maxSize: 1 << 16 });
  const release = path.join(tempDir("filtered-lock-release"), "go");
  const backup = heldBackup(work, repo, src, release);
  await whileRunning(backup, () => locksIn(repo).length === 1);
  const [key] = locksIn(repo);
  const lock = decodeLock(fs.readFileSync(path.join(repo, "locks", key!)), key!);
  expect(lock).toMatchObject({ command: "backup", pid: backup.pid, host: os.hostname(), exclusive: false });
  fs.writeFileSync(release, "");
  expect(await backup.exited).toBe(0);
  const cached = fs.readdirSync(path.join(home(), "xdg-cache", "backpak"));
  expect(cached.some((name) => name.startsWith("snapshots") || name.endsWith(".snapshot"))).toBe(true);
  expect(cached.filter((name) => name.includes(key!))).toEqual([]);
  ok(cli(work, repo, ["check", "--read-packs"]));
});
