/** Port of backpak's tests/prune.rs, plus: pruning after forgetting half of 20 snapshots keeps the rest restorable byte for byte. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pinTimes, writeLicense, writeSrcTree } from "../fixtures/src-tree.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, entriesIn, fails, filesIn, letOthersRead, listedSnapshots, objectIds, ok, setup, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf, sharedScratch, withResumeIndex } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

function prune(work: string, repo: string, args: readonly string[] = []): string {
  return ok(cli(work, repo, ["prune", ...args])).stdout;
}

test("prune backup_src: sparse packs are rewritten, then nothing is left to do", () => {
  const { work, repo } = setup("prune-src");
  const src = writeSrcTree(work);
  // Reading a file moves its atime (relatime), which would make src/ui's tree differ between the backups.
  pinTimes(src);
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["backup", path.join(src, "ui")]));
  const [first] = listedSnapshots(work, repo);
  expect(listedSnapshots(work, repo).length).toBe(2);
  const packs = objectIds(repo, "packs");
  expect(packs.length).toBe(3);

  expect(prune(work, repo)).toContain("Nothing to do.");

  ok(cli(work, repo, ["forget", first!]));
  expect(listedSnapshots(work, repo).length).toBe(1);
  expect(objectIds(repo, "packs")).toEqual(packs);

  const plan = "Keep 1 packs";
  const dry = prune(work, repo, ["-n"]);
  expect(dry).toContain(plan);
  expect(dry).toContain("rewrite 2");
  expect(dry).toContain("drop 0 (0 B), and replace the 2 current indexes");
  expect(objectIds(repo, "packs")).toEqual(packs);
  expect(filesIn(work).filter((f) => !f.startsWith("src/"))).toEqual([]);
  ok(cli(work, repo, ["check"]));

  const live = prune(work, repo);
  expect(live).toContain(plan);
  expect(live).toContain("rewrite 2");
  expect(live).toContain("drop 0 (0 B), and replace the 2 current indexes");
  const after = objectIds(repo, "packs");
  expect(after).not.toEqual(packs);
  expect(after.length).toBe(3);
  expect(objectIds(repo, "indexes").length).toBe(1);
  ok(cli(work, repo, ["check", "--read-packs"]));

  expect(prune(work, repo)).toContain("Nothing to do.");
});

test("prune no_repacks_needed: whole packs dropped, a new index written anyway", () => {
  const { work, repo } = setup("prune-norepack");
  ok(cli(work, repo, ["backup", writeSrcTree(work)]));
  ok(cli(work, repo, ["backup", writeLicense(work)]));
  const [first] = listedSnapshots(work, repo);
  ok(cli(work, repo, ["forget", first!]));
  const indexes = objectIds(repo, "indexes");

  const out = prune(work, repo);
  expect(out).toContain("Keep 2 packs");
  expect(out).toContain("rewrite 0 (0 B), drop 2");
  expect(out).toContain("and replace the 2 current indexes");
  expect(objectIds(repo, "packs").length).toBe(2);
  const now = objectIds(repo, "indexes");
  expect(now.length).toBe(1);
  expect(indexes).not.toContain(now[0]);
  ok(cli(work, repo, ["check", "--read-packs"]));
});

test("prune after forgetting half of 20 snapshots keeps the other half restorable byte for byte", () => {
  const { work, repo } = setup("prune-20");
  const data = path.join(work, "data");
  fs.mkdirSync(data);
  const keepers = tempDir("prune-20-expected");
  // Some files last for the whole run, some are rewritten every time, some come and go.
  fs.writeFileSync(path.join(data, "stable.bin"), randomBytes(1, 300_000));
  for (let i = 0; i < 20; i++) {
    fs.writeFileSync(path.join(data, "churn.bin"), randomBytes(100 + i, 50_000 + i * 1000));
    fs.writeFileSync(path.join(data, `added-${i}.bin`), randomBytes(200 + i, 20_000));
    if (i >= 3) fs.rmSync(path.join(data, `added-${i - 3}.bin`));
    fs.mkdirSync(path.join(data, `dir-${i % 4}`), { recursive: true });
    fs.writeFileSync(path.join(data, `dir-${i % 4}`, "note.txt"), `snapshot ${i}\n`);
    ok(cli(work, repo, ["backup", data]));
    fs.cpSync(data, path.join(keepers, String(i)), { recursive: true });
  }
  const ids = listedSnapshots(work, repo);
  expect(ids.length).toBe(20);

  const forgotten = ids.filter((_, i) => i % 2 === 0);
  ok(cli(work, repo, ["forget", ...forgotten]));
  const packsBefore = objectIds(repo, "packs");
  const out = prune(work, repo);
  expect(out).toMatch(/Keep \d+ packs/);
  expect(out).not.toContain("rewrite 0 (0 B), drop 0");
  expect(objectIds(repo, "packs")).not.toEqual(packsBefore);
  expect(objectIds(repo, "indexes").length).toBe(1);
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(listedSnapshots(work, repo)).toEqual(ids.filter((_, i) => i % 2 === 1));

  ids.forEach((id, i) => {
    if (i % 2 === 0) return;
    const out = tempDir(`prune-20-restore-${i}`);
    ok(cli(work, repo, ["restore", id, "--output", out]));
    expect(contentsOf(out)).toEqual(contentsOf(path.join(keepers, String(i))));
  });
  expect(prune(work, repo)).toContain("Nothing to do.");
});

function forgetTheFirstOfTwo(label: string): { work: string; repo: string; src: string } {
  const { work, repo } = setup(label);
  const src = writeSrcTree(work);
  pinTimes(src);
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["backup", path.join(src, "ui")]));
  ok(cli(work, repo, ["forget", listedSnapshots(work, repo)[0]!]));
  return { work, repo, src };
}

test("a prune whose worker dies deletes nothing", () => {
  const { work, repo } = forgetTheFirstOfTwo("prune-crash");
  const before = entriesIn(repo);
  fails(cli(work, repo, ["prune"], { env: { BACKPAK_FAULT: "compress:1:die" } }));
  expect(entriesIn(repo)).toEqual(before);
  ok(cli(work, repo, ["check", "--read-packs"]));
});

// As root, permission bits don't stop writes, so the interrupted run is made as nobody (uid 65534).
test("a prune that can't store its index resumes from its WIP index, and only then deletes", () => {
  const { work, repo, src } = forgetTheFirstOfTwo("prune-resume");
  const packs = objectIds(repo, "packs");
  const indexes = objectIds(repo, "indexes");
  fs.chmodSync(repo, 0o755);
  letOthersRead(repo);
  for (const d of [work, path.join(repo, "packs"), path.join(repo, "locks")]) fs.chmodSync(d, 0o777);
  fs.chmodSync(path.join(repo, "indexes"), 0o555);
  // A scratch directory both users can write in.
  const env = { BACKPAK_SCRATCH_DIR: sharedScratch("prune-resume") };
  try {
    fails(cli(work, repo, ["prune"], { asUser: 65534, cwd: work, env }));
  } finally {
    fs.chmodSync(path.join(repo, "indexes"), 0o755);
  }
  // The repacked packs are stored, the WIP index lists them, and nothing old is gone.
  const root = scratchRootOf(repo, env.BACKPAK_SCRATCH_DIR);
  expect(withResumeIndex(root).length).toBe(1);
  expect(objectIds(repo, "indexes")).toEqual(indexes);
  const interrupted = objectIds(repo, "packs");
  expect(interrupted).toEqual(expect.arrayContaining(packs));
  expect(interrupted.length).toBeGreaterThan(packs.length);
  ok(cli(work, repo, ["check", "--read-packs"]));

  const resumed = ok(cli(work, repo, ["prune"], { env }));
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  expect(runDirsIn(root)).toEqual([]);
  expect(objectIds(repo, "indexes").length).toBe(1);
  // Resuming reused the stored packs rather than packing the blobs again.
  // Resuming stored no new packs: it kept the ones the interrupted run made, plus the reusable one.
  const made = interrupted.filter((p) => !packs.includes(p));
  const final = objectIds(repo, "packs");
  expect(final).toEqual(expect.arrayContaining(made));
  expect(final.length).toBe(made.length + 1);
  expect(interrupted).toEqual(expect.arrayContaining(final));
  ok(cli(work, repo, ["check", "--read-packs"]));
  const out = tempDir("prune-resume-out");
  ok(cli(work, repo, ["restore", "LAST", "--output", out]));
  expect(contentsOf(out)).toEqual(contentsOf(path.join(src, "ui")));
});

test("a backup after a prune that failed mid-way doesn't take over the prune's WIP index (which supersedes every index)", () => {
  const { work, repo } = setup("prune-then-backup");
  fs.rmSync(repo, { recursive: true });
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  // Kept and dropped files alternate, so every pack ends up half used.
  for (let i = 0; i < 16; i++) for (const k of ["a", "b"]) fs.writeFileSync(path.join(src, `f${i}${k}`), randomBytes(i * 2 + (k === "a" ? 0 : 1), 1 << 20));
  ok(cli(work, repo, ["backup", src]));
  for (let i = 0; i < 16; i++) fs.rmSync(path.join(src, `f${i}b`));
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["forget", listedSnapshots(work, repo)[0]!]));
  // The prune's third compression kills its worker: some repacked packs are stored and listed in its WIP index.
  fails(cli(work, repo, ["prune"], { env: { BACKPAK_FAULT: "compress:3:die", BACKPAK_WORKERS: "1" } }));
  expect(withResumeIndex(scratchRootOf(repo)).length).toBe(1);

  const more = tempDir("prune-then-backup-more");
  fs.writeFileSync(path.join(more, "new.bin"), randomBytes(99, 100_000));
  const r = ok(cli(tempDir("prune-then-backup-elsewhere"), repo, ["backup", more]));
  expect(r.stderr).toContain("left by a prune");
  ok(cli(work, repo, ["check", "--read-packs"]));
  for (const [ref, dir] of [["LAST", more], ["LAST~1", src]] as const) {
    const out = tempDir("prune-then-backup-out");
    ok(cli(work, repo, ["restore", "--output", out, ref]));
    expect(contentsOf(out)).toEqual(contentsOf(dir));
  }
  // The next prune finishes the job.
  ok(cli(work, repo, ["prune"]));
  ok(cli(work, repo, ["check", "--read-packs"]));
});
