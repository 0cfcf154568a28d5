/**
 * Append-only clients: through storage that refuses every delete and every overwrite
 * (BACKPAK_BACKEND_FAULT=append-only), backup (fresh, incremental, resumed after a SIGKILL, rerun
 * from another working directory) and copy (fresh and again) succeed, while prune and forget fail
 * saying the key lacks delete rights.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, listedSnapshots, objectIds, ok, randomSourceAndRepo, spawnCli, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf, whenRun } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

const APPEND_ONLY = { env: { BACKPAK_BACKEND_FAULT: "append-only" } };

/** A working directory, a repository with 1 MiB packs in it, and 8 MB of source that doesn't compress. */
const setupSource = (label: string): { work: string; repo: string; src: string } => randomSourceAndRepo(label, 8, 1 << 20);

/** Makes the repository store everything through gzip (a filter, as `init --gpg` sets one). */
function gzipFilter(repo: string): void {
  const file = path.join(repo, "config.toml");
  const config = fs.readFileSync(file, "utf8").replace("\n[backend]", 'filter = "gzip -c"\nunfilter = "gzip -dc"\n\n[backend]');
  expect(config).toContain('unfilter = "gzip -dc"');
  fs.writeFileSync(file, config);
}

/** The repository checks clean and its last snapshot restores `src` byte for byte. */
function restoresLast(work: string, repo: string, src: string): void {
  ok(cli(work, repo, ["check", "--read-packs"]));
  const out = tempDir("append-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
}

/** Starts a backup and SIGKILLs it once it has stored a pack (which the WIP index lists); returns its run directory. */
async function killedBackup(work: string, repo: string, src: string): Promise<string> {
  const proc = spawnCli(work, repo, ["backup", src], APPEND_ONLY.env);
  const { dir } = await whenRun(scratchRootOf(repo), proc, (d) => fs.existsSync(path.join(d, "backpak-wip.journal")) && objectIds(repo, "packs").length > 0);
  proc.kill("SIGKILL");
  await proc.exited;
  return dir;
}

test("fresh and incremental backups need no delete or overwrite rights", () => {
  const { work, repo, src } = setupSource("append-fresh");
  ok(cli(work, repo, ["backup", src], APPEND_ONLY));
  fs.writeFileSync(path.join(src, "f0"), randomBytes(1, 1 << 20));
  fs.writeFileSync(path.join(src, "new"), "new file\n");
  ok(cli(work, repo, ["backup", src], APPEND_ONLY));
  expect(listedSnapshots(work, repo)).toHaveLength(2);
  restoresLast(work, repo, src);
});

test("a backup resumed after a SIGKILL stores nothing twice, even a finished pack left in its scratch directory", async () => {
  const { work, repo, src } = setupSource("append-killed");
  const killed = await killedBackup(work, repo, src);
  const stored = objectIds(repo, "packs");
  expect(stored.length).toBeGreaterThan(0);
  // As a kill between copying a pack into place and deleting it leaves it (across file systems, or remotely).
  fs.copyFileSync(path.join(repo, "packs", `${stored[0]}.pack`), path.join(killed, `${stored[0]}.pack`));
  const resumed = ok(cli(work, repo, ["backup", src], APPEND_ONLY));
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  expect(runDirsIn(scratchRootOf(repo))).toEqual([]);
  restoresLast(work, repo, src);
});

for (const filtered of [false, true]) {
  const how = filtered ? " (through a filter, so stored sizes aren't those written)" : "";
  test(`a backup rerun from another working directory after a SIGKILL doesn't store the killed run's packs again${how}`, async () => {
    const { work, repo, src } = setupSource(filtered ? "append-elsewhere-gz" : "append-elsewhere");
    if (filtered) gzipFilter(repo);
    await killedBackup(work, repo, src);
    const elsewhere = tempDir("append-elsewhere-work2");
    ok(cli(elsewhere, repo, ["backup", src], APPEND_ONLY));
    restoresLast(work, repo, src);
  });
}

test("copy into an append-only repository works, and again once it has everything", () => {
  const { work, repo, src } = setupSource("append-copy");
  const dest = path.join(work, "dest");
  ok(cli(work, dest, ["init", "--pack-size", "1MiB", "filesystem"]));
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["copy", "--all", "--to", dest], APPEND_ONLY));
  fs.writeFileSync(path.join(src, "new"), "new file\n");
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["copy", "--all", "--to", dest], APPEND_ONLY));
  expect(listedSnapshots(work, dest)).toEqual(listedSnapshots(work, repo));
  restoresLast(work, dest, src);
});

test("prune and forget through an append-only key fail, saying it lacks delete rights, and delete nothing", () => {
  const { work, repo, src } = setupSource("append-prune");
  ok(cli(work, repo, ["backup", src], APPEND_ONLY));
  fs.writeFileSync(path.join(src, "f0"), randomBytes(2, 1 << 20));
  ok(cli(work, repo, ["backup", src], APPEND_ONLY));
  const [first] = listedSnapshots(work, repo);
  const before = { packs: objectIds(repo, "packs"), indexes: objectIds(repo, "indexes"), snapshots: objectIds(repo, "snapshots") };

  const forget = fails(cli(work, repo, ["forget", first!], APPEND_ONLY));
  expect(errorReport(forget)).toContain(`Couldn't delete snapshots/${first}.snapshot`);
  expect(errorReport(forget)).toContain("this key lacks delete rights");
  expect(objectIds(repo, "snapshots")).toEqual(before.snapshots);

  ok(cli(work, repo, ["forget", first!]));
  const prune = fails(cli(work, repo, ["prune"], APPEND_ONLY));
  expect(errorReport(prune)).toMatch(/Couldn't delete (indexes|packs)\/[0-9a-v]+\.(index|pack) in Filesystem .*: this key lacks delete rights/);
  expect(errorReport(prune)).toContain("Hint: prune and forget delete objects: run them with a key or account that may delete");
  expect(objectIds(repo, "packs")).toEqual(expect.arrayContaining(before.packs));
  restoresLast(work, repo, src);
});
