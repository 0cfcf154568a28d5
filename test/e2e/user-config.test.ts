/** The user config (~/.config/backpak.toml, a start directory's .backpak, --config): skips, dereference, restore output, and bad files. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, EMPTY_REPO, entriesIn, errorReport, fails, home, lines, ok, run, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** Like cli() but reading the user config: started in `start`, working in `work`. */
function withConfig(start: string, work: string, repo: string, args: readonly string[]) {
  return run(["-C", work, "--repository", repo, ...args], { cwd: start });
}

function writeGlobalConfig(text: string): void {
  fs.mkdirSync(path.join(home(), ".config"), { recursive: true });
  fs.writeFileSync(path.join(home(), ".config", "backpak.toml"), text);
}

function dataDir(): string {
  const data = path.join(tempDir("cfg-data"), "data");
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, "keep.txt"), "keep");
  fs.writeFileSync(path.join(data, "noise.log"), "noise");
  fs.writeFileSync(path.join(data, "secret.key"), "secret");
  fs.symlinkSync(path.join(data, "keep.txt"), path.join(data, "link"));
  return data;
}

test("global skips and dereference apply; a .backpak's skips replace them and its restore.output is used", () => {
  const start = tempDir("cfg-start");
  const work = tempDir("cfg-work");
  const repo = path.join(tempDir("cfg-parent"), "repo");
  const data = dataDir();
  writeGlobalConfig('skips = ["\\\\.log$"]\n[backup]\ndereference = true\n');
  try {
    ok(withConfig(start, work, repo, ["init", "filesystem"]));
    ok(withConfig(start, work, repo, ["backup", data]));
    expect(lines(ok(withConfig(start, work, repo, ["ls", "LAST"])).stdout)).toEqual(["data/", "data/keep.txt", "data/link", "data/secret.key"]);
    // Dereferenced: the link was stored as the file it points to.
    expect(ok(withConfig(start, work, repo, ["dump", "LAST", "data/link"])).stdout).toBe("keep");

    const out = tempDir("cfg-out");
    fs.writeFileSync(path.join(start, ".backpak"), `skips = ["secret"]\n[restore]\noutput = ${JSON.stringify(out)}\n`);
    ok(withConfig(start, work, repo, ["backup", "--no-dereference", data]));
    expect(lines(ok(withConfig(start, work, repo, ["ls", "LAST"])).stdout)).toEqual(["data/", "data/keep.txt", "data/link -> " + path.join(data, "keep.txt"), "data/noise.log"]);
    ok(withConfig(start, work, repo, ["restore", "LAST"]));
    expect(entriesIn(out)).toEqual(["keep.txt", "link", "noise.log"]);
  } finally {
    fs.rmSync(path.join(home(), ".config", "backpak.toml"));
  }
});

test("a config value of the wrong type fails, naming the file and key, before anything is written", () => {
  const start = tempDir("cfg-bad-start");
  const work = tempDir("cfg-bad-work");
  const repo = tempDir("cfg-bad-repo");
  fs.rmdirSync(repo);
  fs.writeFileSync(path.join(start, ".backpak"), "cache_size = 5\n");
  const r = fails(withConfig(start, work, repo, ["init", "filesystem"]));
  expect(errorReport(r)).toContain(path.join(start, ".backpak"));
  expect(errorReport(r)).toContain("cache_size must be a string");
  expect(fs.existsSync(repo)).toBe(false);

  fs.writeFileSync(path.join(start, ".backpak"), "skips = []\nskip = [\"typo\"]\n");
  const warned = ok(withConfig(start, work, repo, ["init", "filesystem"]));
  expect(warned.stderr).toContain(`Ignoring unknown key skip in ${path.join(start, ".backpak")}`);
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
});
