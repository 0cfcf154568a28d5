/** Without -r, the repository is $BACKPAK_REPOSITORY, else a default one in the user's data directory that the first backup creates. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, entriesIn, errorReport, fails, home, lines, objectIds, ok, run, tempDir, type EnvOverrides } from "./harness.ts";

cleanUpAfterThisFile();

/** Runs backpak with no -r (and no user config) in `work`. */
const noRepo = (work: string, args: readonly string[], env: EnvOverrides): ReturnType<typeof run> =>
  run(["-C", work, "--config", "", "-vvv", ...args], { env: { BACKPAK_REPOSITORY: undefined, ...env } });

/** A directory with one file to back up. */
function someData(label: string): string {
  const dir = tempDir(label);
  fs.writeFileSync(path.join(dir, "hello.txt"), `hello from ${label}\n`);
  return dir;
}

/** Backs up to the default repository at `expected`, then checks `snapshots` lists it there. */
function backupCreates(expected: string, env: EnvOverrides): void {
  const work = tempDir("default-work");
  expect(fs.existsSync(expected)).toBe(false);
  ok(noRepo(work, ["backup", someData("default-data")], env));
  expect(fs.existsSync(path.join(expected, "config.toml"))).toBe(true);
  const stored = objectIds(expected, "snapshots");
  expect(stored.length).toBe(1);
  const listed = lines(ok(noRepo(work, ["snapshots"], env)).stdout).filter((l) => l.startsWith("snapshot "));
  expect(listed).toEqual([`snapshot ${stored[0]}`]);
  ok(noRepo(work, ["check", "--read-packs"], env));
  expect(entriesIn(work)).toEqual([]);
}

test("the first backup creates $XDG_DATA_HOME/backpak/default", () => {
  const xdg = path.join(tempDir("xdg"), "data");
  backupCreates(path.join(xdg, "backpak", "default"), { XDG_DATA_HOME: xdg });
});

test("without XDG_DATA_HOME, the default is $HOME/.local/share/backpak/default", () => {
  const userHome = tempDir("userhome");
  backupCreates(path.join(userHome, ".local", "share", "backpak", "default"), { HOME: userHome, XDG_DATA_HOME: undefined });
});

test("$BACKPAK_REPOSITORY names the repository, and -r overrides it", () => {
  const xdg = path.join(tempDir("xdg-env"), "data");
  const envRepo = path.join(tempDir("envrepo"), "repo");
  const env = { XDG_DATA_HOME: xdg, BACKPAK_REPOSITORY: envRepo };
  const work = tempDir("envrepo-work");
  ok(noRepo(work, ["init", "filesystem"], env));
  ok(noRepo(work, ["backup", someData("envrepo-data")], env));
  expect(objectIds(envRepo, "snapshots").length).toBe(1);
  expect(fs.existsSync(path.join(xdg, "backpak"))).toBe(false);

  const flagRepo = tempDir("flagrepo");
  const withFlag = (args: readonly string[]) => run(["-C", work, "--config", "", "-r", flagRepo, ...args], { env });
  ok(withFlag(["init", "filesystem"]));
  ok(withFlag(["backup", someData("flagrepo-data")]));
  expect(objectIds(flagRepo, "snapshots").length).toBe(1);
  expect(objectIds(envRepo, "snapshots").length).toBe(1);
});

test("--help mentions the default location and BACKPAK_REPOSITORY", () => {
  const xdg = path.join(home(), "help-data");
  const help = ok(run(["--help"], { env: { XDG_DATA_HOME: xdg } })).stdout;
  expect(help).toContain("BACKPAK_REPOSITORY");
  expect(help).toContain(path.join(xdg, "backpak", "default"));
});

test("reading from a default repository that doesn't exist fails clearly and creates nothing", () => {
  const xdg = path.join(tempDir("xdg-none"), "data");
  const work = tempDir("none-work");
  const r = fails(noRepo(work, ["ls", "LAST"], { XDG_DATA_HOME: xdg }));
  const report = errorReport(r);
  expect(report).toContain(path.join(xdg, "backpak", "default"));
  expect(r.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
  expect(fs.existsSync(xdg)).toBe(false);
  expect(entriesIn(work)).toEqual([]);
});
