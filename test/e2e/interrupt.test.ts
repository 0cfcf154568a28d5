/**
 * SIGINT mid-way: a backup deletes its unfinished pack, keeps what it finished for the next run to
 * resume from, and exits 130; a restore removes the files it hadn't finished and leaves the ones it
 * was replacing as they were. A stalled worker (BACKPAK_FAULT=…:stall) holds each run mid-way.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, filesIn, ok, spawnCli, tempDir } from "./harness.ts";
import { runDirOf, scratchRootOf } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

function writeSource(work: string, files: number): string {
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(900 + i, 4 << 20));
  return src;
}

/** Waits until `ready()` holds while `proc` runs, then interrupts it; returns its exit code and stderr. */
async function interruptWhen(proc: Bun.Subprocess<"ignore", "ignore", "pipe">, ready: () => boolean): Promise<{ code: number; stderr: string }> {
  for (let waited = 0; !ready(); waited += 5) {
    if (proc.exitCode !== null) throw new Error(`the run ended (${proc.exitCode}) before it could be interrupted`);
    if (waited > 30_000) throw new Error("the run never got where it could be interrupted");
    await Bun.sleep(5);
  }
  proc.kill("SIGINT");
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  return { code, stderr };
}

test("an interrupted backup removes its unfinished pack, exits 130, and the next run resumes", async () => {
  const work = tempDir("int-backup");
  const repo = path.join(work, "repo");
  const src = writeSource(work, 8);
  // Frames of 4 MiB: three finish the first pack, the fourth starts the second, the fifth never ends.
  ok(cli(work, repo, ["init", "--pack-size", "10MiB", "filesystem"]));
  const proc = spawnCli(work, repo, ["backup", src], { BACKPAK_FAULT: "compress:5:stall", BACKPAK_WORKERS: "1" });
  const runDir = runDirOf(scratchRootOf(repo), proc.pid);
  const temps = (): string[] => (fs.existsSync(runDir) ? fs.readdirSync(runDir) : []).filter((n) => n.startsWith("temp-backpak-") && n.endsWith(".pack"));
  const r = await interruptWhen(proc, () => fs.existsSync(path.join(runDir, "backpak-wip.journal")) && temps().length > 0);
  expect(r.code).toBe(130);
  expect(r.stderr).toContain("Interrupted by SIGINT; run it again and it resumes where it stopped");
  expect(temps()).toEqual([]);
  expect(fs.existsSync(path.join(runDir, "backpak-wip.journal"))).toBe(true);
  expect(fs.readdirSync(path.join(repo, "snapshots"))).toEqual([]);

  const resumed = ok(cli(work, repo, ["backup", src]));
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  expect(fs.existsSync(runDir)).toBe(false);
  ok(cli(work, repo, ["check", "--read-packs"]));
  const out = tempDir("int-backup-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
});

test("an interrupted restore removes the files it hadn't finished and leaves replaced ones untouched", async () => {
  const work = tempDir("int-restore");
  const repo = path.join(work, "repo");
  const src = writeSource(work, 6);
  ok(cli(work, repo, ["init", "filesystem"]));
  ok(cli(work, repo, ["backup", src]));
  const out = tempDir("int-restore-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  // The last file (its chunks come last) to be replaced, the others to be written anew.
  fs.writeFileSync(path.join(out, "f5"), "what was there before\n");
  for (let i = 0; i < 5; i++) fs.rmSync(path.join(out, `f${i}`));

  const proc = spawnCli(work, repo, ["restore", "--output", out, "LAST"], { BACKPAK_FAULT: "decompress:2:stall", BACKPAK_WORKERS: "1" });
  const r = await interruptWhen(proc, () => fs.readdirSync(out).some((n) => n.startsWith(".f5.backpak-")));
  expect(r.code).toBe(130);
  const wanted = contentsOf(src);
  const left = fs.readdirSync(out).sort();
  expect(left.filter((n) => n.includes(".backpak-"))).toEqual([]);
  expect(fs.readFileSync(path.join(out, "f5"), "utf8")).toBe("what was there before\n");
  // Anything else there is complete.
  for (const name of left.filter((n) => n !== "f5")) expect(contentsOf(out)[name]).toBe(wanted[name]!);
  expect(left.length).toBeLessThan(6);

  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(wanted);
  expect(filesIn(out)).toEqual(Object.keys(wanted));
});

test("a restore of many files interrupted early stops there, keeps only complete files, and says to run it again", async () => {
  const work = tempDir("int-restore-early");
  const repo = path.join(work, "repo");
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  const total = 800;
  for (let i = 0; i < total; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(7000 + i, 48 << 10));
  ok(cli(work, repo, ["init", "filesystem"]));
  ok(cli(work, repo, ["backup", src]));
  const out = tempDir("int-restore-early-out");

  // Nothing stalls: the workers keep finishing jobs, and the signal must still be heard at once.
  const proc = spawnCli(work, repo, ["restore", "--output", out, "LAST"]);
  const r = await interruptWhen(proc, () => fs.readdirSync(out).length > 0);
  expect(r.code).toBe(130);
  const left = fs.readdirSync(out);
  expect(left.length).toBeLessThan(total / 2);
  expect(r.stderr).toContain("Interrupted by SIGINT; the files the restore hadn't finished were removed, and running it again finishes it");
  expect(r.stderr).not.toContain("backup, prune or copy");
  const wanted = contentsOf(src);
  const got = contentsOf(out);
  for (const name of left) expect(got[name]).toBe(wanted[name]!);

  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(wanted);
});
