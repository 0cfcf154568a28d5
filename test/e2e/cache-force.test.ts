/** `init filesystem --force-cache`: a repository read and written through the local cache round-trips, refills an emptied cache, and honours cache_size. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { writeSrcTree } from "../fixtures/src-tree.ts";
import { cleanUpAfterThisFile, cli, filesIn, home, objectIds, ok, run, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const cacheDir = (): string => path.join(home(), "xdg-cache", "backpak");
const cachedObjects = (): string[] => (fs.existsSync(cacheDir()) ? fs.readdirSync(cacheDir()).filter((f) => !f.startsWith("cache_metadata.sqlite") && f !== "scratch").sort() : []);

function expectSameFiles(want: string, got: string): void {
  const files = filesIn(want);
  expect(filesIn(got)).toEqual(files);
  for (const f of files) expect(fs.readFileSync(path.join(got, f)).equals(fs.readFileSync(path.join(want, f)))).toBe(true);
}

test("--force-cache: backup, check and restore go through the cache, which keeps copies of what was stored", () => {
  fs.rmSync(cacheDir(), { recursive: true, force: true });
  const work = tempDir("fc-work");
  const repo = path.join(tempDir("fc-parent"), "repo");
  ok(cli(work, repo, ["init", "filesystem", "--force-cache"]));
  expect(fs.readFileSync(path.join(repo, "config.toml"), "utf8")).toContain("force_cache = true");

  const src = writeSrcTree(tempDir("fc-src"));
  ok(cli(work, repo, ["backup", src]));
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(fs.existsSync(path.join(cacheDir(), "cache_metadata.sqlite"))).toBe(true);
  const stored = [
    ...objectIds(repo, "packs").map((id) => [`packs/${id}.pack`, `${id}.pack`]),
    ...objectIds(repo, "indexes").map((id) => [`indexes/${id}.index`, `${id}.index`]),
    ...objectIds(repo, "snapshots").map((id) => [`snapshots/${id}.snapshot`, `${id}.snapshot`]),
  ];
  expect(cachedObjects()).toEqual(stored.map(([, name]) => name!).sort());
  for (const [key, name] of stored) {
    expect(fs.readFileSync(path.join(cacheDir(), name!)).equals(fs.readFileSync(path.join(repo, key!)))).toBe(true);
  }

  const out = tempDir("fc-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expectSameFiles(src, out);

  fs.rmSync(cacheDir(), { recursive: true });
  const again = tempDir("fc-again");
  ok(cli(work, repo, ["restore", "--output", again, "LAST"]));
  expectSameFiles(src, again);
  for (const id of objectIds(repo, "packs")) expect(cachedObjects()).toContain(`${id}.pack`);
});

test("cache_size from the user config bounds the cache (the newest object always stays)", () => {
  fs.rmSync(cacheDir(), { recursive: true, force: true });
  const work = tempDir("fc-work");
  const repo = path.join(tempDir("fc-parent"), "repo");
  ok(cli(work, repo, ["init", "filesystem", "--force-cache"]));
  const config = path.join(tempDir("fc-config"), "backpak.toml");
  fs.writeFileSync(config, 'cache_size = "1 B"\n');
  const src = writeSrcTree(tempDir("fc-src"));
  ok(run(["-C", work, "--config", config, "--repository", repo, "backup", src]));
  expect(cachedObjects()).toHaveLength(1);
  ok(run(["-C", work, "--config", config, "--repository", repo, "check", "--read-packs"]));
  expect(cachedObjects()).toHaveLength(1);
});
