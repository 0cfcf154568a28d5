/**
 * Where scratch state goes: a directory per repository under $XDG_CACHE_HOME/backpak/scratch
 * (whatever the working directory, `/` included), or under --scratch-dir or $BACKPAK_SCRATCH_DIR;
 * private to the user; and when it can't be written, an error naming it and how to choose another.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, contentsOf, errorReport, fails, home, ok, run, setup, spawnCli, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf, sharedScratch, waitingPacks, whenRun } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

/** A source directory and a repository (with its directories) any user may write, for runs as nobody (uid 65534, when root). */
function openToAll(label: string): { repo: string; data: string } {
  const { work, repo } = setup(label);
  const data = tempDir(`${label}-data`);
  fs.writeFileSync(path.join(data, "f.txt"), "some data");
  for (const d of [work, repo, data, ...["packs", "indexes", "snapshots", "locks"].map((s) => path.join(repo, s))]) fs.chmodSync(d, 0o777);
  return { repo, data };
}

test("a scratch directory backup can't write in is named, with --scratch-dir as the way out, and nothing is stored", () => {
  const { repo, data } = openToAll("scratch-readonly");
  const readOnly = tempDir("scratch-readonly-base");
  fs.chmodSync(readOnly, 0o555);
  const r = fails(run(["--config", "", "-r", repo, "--scratch-dir", readOnly, "backup", data], { asUser: 65534, cwd: tempDir("scratch-readonly-cwd") }));
  expect(errorReport(r)).toContain(`Can't write in ${scratchRootOf(repo, readOnly)}, the scratch directory for packs, indexes and snapshots`);
  expect(errorReport(r)).toContain("--scratch-dir DIR or $BACKPAK_SCRATCH_DIR");
  expect(fs.readdirSync(readOnly)).toEqual([]);
  for (const d of ["packs", "indexes", "snapshots"]) expect(fs.readdirSync(path.join(repo, d))).toEqual([]);
  // The same through the environment.
  const env = fails(run(["--config", "", "-r", repo, "backup", data], { asUser: 65534, cwd: tempDir("scratch-readonly-cwd"), env: { BACKPAK_SCRATCH_DIR: readOnly } }));
  expect(errorReport(env)).toContain(`Can't write in ${scratchRootOf(repo, readOnly)}`);
  for (const d of ["packs", "indexes", "snapshots"]) expect(fs.readdirSync(path.join(repo, d))).toEqual([]);
});

test("a backup run from / (as cron runs it) works, its scratch state in the user's cache directory", () => {
  const { repo, data } = openToAll("scratch-root-cwd");
  const cache = sharedScratch("scratch-root-cwd-cache");
  ok(run(["--config", "", "-r", repo, "backup", data], { asUser: 65534, cwd: "/", env: { XDG_CACHE_HOME: cache } }));
  const root = scratchRootOf(repo, path.join(cache, "backpak", "scratch"));
  // The scratch directory names its repository, and the run left nothing in it.
  expect(fs.readFileSync(path.join(root, "repository"), "utf8")).toBe(`${fs.realpathSync(repo)}\n`);
  expect(runDirsIn(root)).toEqual([]);
  const out = tempDir("scratch-root-cwd-out");
  ok(run(["--config", "", "-r", repo, "restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(data));
});

test("a filtered repository (its filter writes scratch files, its reads download into them) backs up, checks and restores from /", () => {
  const { repo, data } = openToAll("scratch-root-filter");
  const config = path.join(repo, "config.toml");
  fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace("[backend]", 'filter = "cat"\nunfilter = "cat"\n\n[backend]'));
  const cache = sharedScratch("scratch-root-filter-cache");
  const asCron = { asUser: 65534, cwd: "/", env: { XDG_CACHE_HOME: cache } };
  ok(run(["--config", "", "-r", repo, "backup", data], asCron));
  // Reading every pack from storage (not the local cache) unfilters each into a scratch file.
  ok(run(["--config", "", "-r", repo, "check", "--read-packs"], asCron));
  const out = sharedScratch("scratch-root-filter-out");
  ok(run(["--config", "", "-r", repo, "restore", "--output", out, "LAST"], asCron));
  expect(contentsOf(out)).toEqual(contentsOf(data));
  expect(runDirsIn(scratchRootOf(repo, path.join(cache, "backpak", "scratch")))).toEqual([]);
});

for (const how of ["--scratch-dir", "BACKPAK_SCRATCH_DIR"]) {
  test(`${how} moves the scratch directory: a run's directory is made there, private, and nothing goes to the cache directory`, async () => {
    const { work, repo } = setup(`scratch-${how}`);
    const data = tempDir(`scratch-${how}-data`);
    for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(data, `f${i}`), randomBytes(60 + i, 4 << 20));
    const base = tempDir(`scratch-${how}-base`);
    const args = [...(how === "--scratch-dir" ? ["--scratch-dir", base] : []), "backup", data];
    // Stopped (not killed) once it has a finished pack, to see its directory, then let go.
    const proc = spawnCli(work, repo, args, how === "BACKPAK_SCRATCH_DIR" ? { BACKPAK_SCRATCH_DIR: base } : {});
    const root = scratchRootOf(repo, base);
    const { dir, said } = await whenRun(root, proc, (d) => fs.existsSync(path.join(d, "backpak-wip.journal")) || waitingPacks(d).length > 0);
    proc.kill("SIGSTOP");
    expect(modeOf(root)).toBe("700");
    expect(modeOf(dir)).toBe("700");
    for (const f of fs.readdirSync(dir)) expect(`${f} ${modeOf(path.join(dir, f))}`).toBe(`${f} 600`);
    proc.kill("SIGCONT");
    expect(await proc.exited).toBe(0);
    expect(await said).toContain("Repository requests");
    expect(runDirsIn(root)).toEqual([]);
    expect(fs.existsSync(path.join(home(), "xdg-cache", "backpak", "scratch"))).toBe(false);
  });
}

const modeOf = (p: string): string => (fs.statSync(p).mode & 0o777).toString(8);
