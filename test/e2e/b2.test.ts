/** Backblaze B2 repositories end to end: `init backblaze` writes the config file, and backup, snapshots, check, restore, forget and prune work against a fake B2 server. */
import { afterAll, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pinTimes, writeSrcTree } from "../fixtures/src-tree.ts";
import { FakeB2 } from "../helpers/fake-b2.ts";
import { cleanUpAfterThisFile, cli, cliAsync, contentsOf, errorReport, fails, home, lines, ok, tempDir, type RunResult } from "./harness.ts";

cleanUpAfterThisFile();

const fake = FakeB2.start();
afterAll(() => fake.stop());
/** Point the binary at the fake and don't pause between retries. */
const env = { BACKPAK_B2_API_URL: fake.url, BACKPAK_B2_RETRY_MS: "0" };

function initB2(work: string, config: string, extra: readonly string[] = []): RunResult {
  return cli(work, config, ["init", ...extra, "backblaze", "-k", fake.keyId, "--application-key", fake.applicationKey, "-b", fake.bucket]);
}

/** Runs against the fake (asynchronously, so the fake can answer) and asserts success. */
async function b2(work: string, config: string, args: readonly string[]): Promise<RunResult> {
  return ok(await cliAsync(work, config, args, { env }));
}

/** The keys stored in the fake bucket under `prefix`. */
const stored = (prefix: string): string[] => [...fake.objects().keys()].filter((k) => k.startsWith(prefix)).sort();
const snapshotIds = (r: RunResult): string[] => lines(r.stdout).filter((l) => l.startsWith("snapshot ")).map((l) => l.split(" ")[1]!);

test("init backblaze writes the config file (and nothing else, contacting no one), and refuses a path that exists", () => {
  const work = tempDir("b2-init-work");
  const config = path.join(tempDir("b2-init"), "b2.toml");
  const before = fake.requests.length;
  ok(cli(work, config, ["init", "--pack-size", "64MiB", "backblaze", "-k", "0012abc", "-a", "K001/secret+key", "-b", "my-bucket", "-c", "8"]));
  expect(fs.readFileSync(config, "utf8")).toBe(
    'pack_size = "64 MiB"\n\n[backend]\ntype = "Backblaze"\nkey_id = "0012abc"\napplication_key = "K001/secret+key"\nbucket = "my-bucket"\nconcurrent_connections = 8\n',
  );
  // It holds the application key, so only its owner may read it.
  expect(fs.statSync(config).mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(path.dirname(config))).toEqual(["b2.toml"]);
  expect(fake.requests.length).toBe(before);

  const again = fails(cli(work, config, ["init", "backblaze", "-k", "other", "-a", "other", "-b", "other"]));
  expect(errorReport(again)).toContain(`${config} already exists`);
  expect(fs.readFileSync(config, "utf8")).toContain('key_id = "0012abc"');

  const dir = tempDir("b2-init-dir");
  expect(errorReport(fails(cli(work, dir, ["init", "backblaze", "-k", "k", "-a", "a", "-b", "b"])))).toContain(`${dir} already exists`);

  const defaults = path.join(tempDir("b2-init"), "defaults.toml");
  ok(cli(work, defaults, ["init", "backblaze", "-k", "k", "-a", "a", "-b", "b"]));
  expect(fs.readFileSync(defaults, "utf8")).toBe('pack_size = "100 MB"\n\n[backend]\ntype = "Backblaze"\nkey_id = "k"\napplication_key = "a"\nbucket = "b"\nconcurrent_connections = 4\n');

  const missing = path.join(tempDir("b2-init"), "missing.toml");
  const r = fails(cli(work, missing, ["init", "backblaze", "-k", "k"]));
  expect(r.stderr).toContain("the following required arguments were not provided:\n  --application-key <APPLICATION_KEY>\n  --bucket <BUCKET>");
  expect(fs.existsSync(missing)).toBe(false);
});

test("a B2 repository backs up, lists, checks, restores byte for byte, forgets and prunes", async () => {
  const work = tempDir("b2-work");
  const config = path.join(tempDir("b2-repo"), "b2.toml");
  ok(initB2(work, config));
  const src = writeSrcTree(tempDir("b2-src"));
  pinTimes(src);

  // An upload that fails once is retried (with a warning) and the backup still completes.
  fake.failNext("b2_upload_file", 1, 503);
  const backup = await b2(work, config, ["backup", src]);
  expect(backup.stderr).toContain("HTTP 503 service_unavailable: injected failure, retrying");
  expect(stored("packs/").length).toBeGreaterThan(0);
  expect(stored("indexes/")).toHaveLength(1);
  const [first] = stored("snapshots/");
  expect(snapshotIds(await b2(work, config, ["snapshots"]))).toEqual([first!.slice("snapshots/".length, -".snapshot".length)]);

  const downloads = fake.requestsTo("download").length;
  await b2(work, config, ["check", "--read-packs"]);
  // check reads what is really stored, not the cache's copies.
  const downloaded = new Set(
    fake
      .requestsTo("download")
      .slice(downloads)
      .map((r) => r.url.pathname.slice(`/file/${fake.bucket}/`.length))
      .filter((key) => !key.startsWith("locks/")), // check's own lock, read back when taken
  );
  expect([...downloaded].sort()).toEqual([...fake.objects().keys()].sort());

  // With the local cache gone, restore downloads what it needs.
  fs.rmSync(path.join(home(), "xdg-cache"), { recursive: true, force: true });
  const out = tempDir("b2-out");
  await b2(work, config, ["restore", "--output", out, "LAST"]);
  expect(contentsOf(out)).toEqual(contentsOf(src));

  await b2(work, config, ["backup", path.join(src, "ui")]);
  const snapshots = snapshotIds(await b2(work, config, ["snapshots"]));
  expect(snapshots).toHaveLength(2);
  await b2(work, config, ["forget", snapshots[0]!]);
  const packsBefore = stored("packs/");
  const prune = await b2(work, config, ["prune"]);
  expect(prune.stdout).toContain("rewrite 2");
  expect(prune.stdout).toContain("and replace the 2 current indexes");
  expect(stored("packs/")).not.toEqual(packsBefore);
  expect(stored("indexes/")).toHaveLength(1);
  expect(stored("snapshots/")).toEqual([`snapshots/${snapshots[1]}.snapshot`]);
  // Every removal deleted the only version there was.
  expect(fake.versions().map((v) => v.fileName).sort()).toEqual([...fake.objects().keys()].sort());
  await b2(work, config, ["check", "--read-packs"]);
  expect((await b2(work, config, ["prune"])).stdout).toContain("Nothing to do.");

  const again = tempDir("b2-again");
  await b2(work, config, ["restore", "--output", again, "LAST"]);
  expect(contentsOf(again)).toEqual(contentsOf(path.join(src, "ui")));
});

test("a B2 repository whose key is wrong fails with B2's answer and without showing the key", async () => {
  const work = tempDir("b2-bad-work");
  const config = path.join(tempDir("b2-bad"), "b2.toml");
  ok(cli(work, config, ["init", "backblaze", "-k", fake.keyId, "-a", "K001WrongSecretNeverPrinted", "-b", fake.bucket]));
  const r = fails(await cliAsync(work, config, ["snapshots"], { env }));
  expect(errorReport(r)).toContain("HTTP 401 unauthorized");
  expect(r.stderr + r.stdout).not.toContain("K001WrongSecretNeverPrinted");
});
