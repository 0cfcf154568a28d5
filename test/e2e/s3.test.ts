/**
 * S3 repositories end to end, the compiled binary against a real S3 server (s3rver): `init s3`
 * writes the config file; backup, snapshots, check, restore, usage, filter-snapshot, forget, prune
 * and copy (both ways) work; credentials come from the environment or an AWS profile; -v counts
 * requests; wrong credentials, a missing bucket, an unreachable endpoint and failing uploads fail
 * at once, clearly, without a secret and without a snapshot or index referencing what wasn't stored.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pinTimes, writeSrcTree } from "../fixtures/src-tree.ts";
import { FaultProxy } from "../helpers/fault-proxy.ts";
import { S3RVER_KEY_ID, S3RVER_SECRET } from "../helpers/s3-server.ts";
import { s3ServerForThisFile } from "../helpers/servers-for-this-file.ts";
import { cleanUpAfterThisFile, cli, cliAsync, contentsOf, errorReport, fails, home, lines, ok, runAsync, setup, tempDir, type RunResult } from "./harness.ts";

cleanUpAfterThisFile();

const server = await s3ServerForThisFile();
/** The server's credentials, and no pauses between retries. */
const env = { AWS_ACCESS_KEY_ID: S3RVER_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET, BACKPAK_S3_RETRY_MS: "0" };

let buckets = 0;
/** A new bucket and an S3 repository's config file for it (under `prefix`, through `endpoint`). */
function initS3(work: string, { prefix, endpoint = server.url }: { prefix?: string; endpoint?: string } = {}): { config: string; bucket: string } {
  const bucket = `e2e-${++buckets}`;
  server.addBucket(bucket);
  const config = path.join(tempDir("s3-repo"), "s3.toml");
  ok(cli(work, config, ["init", "s3", "--bucket", bucket, "--endpoint", endpoint, "--path-style", ...(prefix === undefined ? [] : ["--prefix", prefix])]));
  return { config, bucket };
}

/** Runs against the server (asynchronously, so this process's proxies can answer) and asserts success. */
async function s3(work: string, config: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return ok(await cliAsync(work, config, args, { env: { ...env, ...extraEnv } }));
}

const snapshotIds = (r: RunResult): string[] => lines(r.stdout).filter((l) => l.startsWith("snapshot ")).map((l) => l.split(" ")[1]!);

test("init s3 writes the config file (only its owner may read it), contacting no one, and checks its flags", () => {
  const work = tempDir("s3-init-work");
  const config = path.join(tempDir("s3-init"), "s3.toml");
  ok(cli(work, config, ["init", "s3", "--bucket", "my-bucket", "--endpoint", "https://s3.example.com/", "--region", "eu-central-1", "--prefix", "/hosts/laptop/", "--path-style", "-c", "8"]));
  expect(fs.readFileSync(config, "utf8")).toBe(
    'pack_size = "100 MB"\n\n[backend]\ntype = "S3"\nbucket = "my-bucket"\nendpoint = "https://s3.example.com"\nregion = "eu-central-1"\nprefix = "hosts/laptop"\npath_style = true\nconcurrent_connections = 8\n',
  );
  expect(fs.statSync(config).mode & 0o777).toBe(0o600);
  const defaults = path.join(tempDir("s3-init"), "aws.toml");
  ok(cli(work, defaults, ["init", "s3", "-b", "b"]));
  expect(fs.readFileSync(defaults, "utf8")).toBe('pack_size = "100 MB"\n\n[backend]\ntype = "S3"\nbucket = "b"\npath_style = false\nconcurrent_connections = 4\n');
  expect(errorReport(fails(cli(work, config, ["init", "s3", "-b", "other"])))).toContain(`${config} already exists`);

  const missing = path.join(tempDir("s3-init"), "missing.toml");
  expect(fails(cli(work, missing, ["init", "s3"])).stderr).toContain("the following required arguments were not provided:\n  --bucket <BUCKET>");
  expect(errorReport(fails(cli(work, missing, ["init", "s3", "-b", "b", "--endpoint", "s3.example.com"])))).toContain("must be a URL such as https://s3.example.com");
  expect(fs.existsSync(missing)).toBe(false);
});

test("an S3 repository backs up, checks, restores, reports usage, filters, forgets, prunes, and -v counts its requests", async () => {
  const work = tempDir("s3-work");
  const { config, bucket } = initS3(work, { prefix: "backups/laptop" });
  const src = writeSrcTree(tempDir("s3-src"));
  pinTimes(src);

  const backup = await s3(work, config, ["backup", src]);
  expect(backup.stderr).toMatch(/INFO Repository requests: \d+ list, \d+ get, [1-9]\d* put, 0 delete/);
  // It's for the log (from -v on), not one of the lines a command shows by default.
  const quiet = ok(await runAsync(["-C", work, "--config", "", "-r", config, "snapshots"], { env }));
  expect(quiet.stderr + quiet.stdout).not.toContain("Repository requests");
  const keys = server.keys(bucket);
  expect(keys.every((k) => k.startsWith("backups/laptop/"))).toBe(true);
  expect(keys.filter((k) => k.includes("/packs/")).length).toBeGreaterThan(0);
  expect(keys.filter((k) => k.includes("/indexes/"))).toHaveLength(1);
  const [first] = snapshotIds(await s3(work, config, ["snapshots"]));
  expect(keys).toContain(`backups/laptop/snapshots/${first}.snapshot`);

  // check reads every pack from S3 itself, not from the cache.
  const check = await s3(work, config, ["check", "--read-packs"]);
  const packs = keys.filter((k) => k.includes("/packs/")).length;
  const gets = Number(/INFO Repository requests: \d+ list, (\d+) get, 0 put, 0 delete/.exec(check.stderr)?.[1]);
  // Every pack, the index and the snapshot (and a pack again for the trees it holds).
  expect(gets).toBeGreaterThanOrEqual(packs + 2);

  // With the local cache gone, restore downloads what it needs.
  fs.rmSync(path.join(home(), "xdg-cache"), { recursive: true, force: true });
  const out = tempDir("s3-out");
  await s3(work, config, ["restore", "--output", out, "LAST"]);
  expect(contentsOf(out)).toEqual(contentsOf(src));
  expect((await s3(work, config, ["usage"])).stdout).toMatch(/^1 snapshots?, from /m);

  await s3(work, config, ["filter-snapshot", "--skip", "/ui$", "LAST"]);
  const snapshots = snapshotIds(await s3(work, config, ["snapshots"]));
  expect(snapshots).toHaveLength(2);
  await s3(work, config, ["forget", snapshots[0]!]);
  const prune = await s3(work, config, ["prune"]);
  expect(prune.stdout).toMatch(/Keep \d+ packs|rewrite/);
  expect(prune.stderr).toMatch(/INFO Repository requests: \d+ list, \d+ get, [1-9]\d* put, [1-9]\d* delete/);
  expect(server.keys(bucket, "backups/laptop/snapshots/")).toEqual([`backups/laptop/snapshots/${snapshots[1]}.snapshot`]);
  expect(server.keys(bucket, "backups/laptop/indexes/")).toHaveLength(1);
  await s3(work, config, ["check", "--read-packs"]);
  const again = tempDir("s3-again");
  await s3(work, config, ["restore", "--output", again, "LAST"]);
  const withoutUi = Object.entries(contentsOf(src)).filter(([k]) => !k.startsWith("ui"));
  expect(Object.entries(contentsOf(again)).sort()).toEqual(withoutUi.sort());
});

test("copy goes from a local repository to S3 and back, keeping snapshot IDs; credentials can come from an AWS profile", async () => {
  const { work, repo } = setup("s3-copy");
  const src = writeSrcTree(tempDir("s3-copy-src"));
  ok(cli(work, repo, ["backup", src]));
  const [id] = snapshotIds(ok(cli(work, repo, ["snapshots"])));
  const { config, bucket } = initS3(work);
  const profileHome = path.join(home(), ".aws");
  fs.mkdirSync(profileHome, { recursive: true });
  fs.writeFileSync(path.join(profileHome, "credentials"), `[backpak-test]\naws_access_key_id = ${S3RVER_KEY_ID}\naws_secret_access_key = ${S3RVER_SECRET}\n`);
  const viaProfile = { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: "backpak-test" } as unknown as Record<string, string>;

  ok(await cliAsync(work, repo, ["copy", "--all", "--to", config], { env: { ...env, ...viaProfile } }));
  expect(server.keys(bucket, "snapshots/")).toEqual([`snapshots/${id}.snapshot`]);
  await s3(work, config, ["check", "--read-packs"], viaProfile);

  const back = setup("s3-copy-back");
  await s3(work, config, ["copy", "--all", "--to", back.repo]);
  expect(snapshotIds(ok(cli(work, back.repo, ["snapshots"])))).toEqual([id!]);
  const out = tempDir("s3-copy-out");
  ok(cli(work, back.repo, ["restore", "--output", out, id!]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
});

test("wrong credentials, a missing bucket or an unreachable endpoint fail at once, saying what to check and never the secret", async () => {
  const work = tempDir("s3-bad-work");
  const src = writeSrcTree(tempDir("s3-bad-src"));
  const secret = "ThisSecretMustNeverBePrinted/42";

  const { config, bucket } = initS3(work);
  const wrong = fails(await cliAsync(work, config, ["backup", src], { env: { ...env, AWS_ACCESS_KEY_ID: "NOBODY", AWS_SECRET_ACCESS_KEY: secret } }));
  expect(errorReport(wrong)).toContain("InvalidAccessKeyId");
  expect(errorReport(wrong)).toContain(`may list, get, put and delete objects in ${bucket}`);
  expect(wrong.stdout + wrong.stderr).not.toContain(secret);
  expect(wrong.stderr).not.toContain("retrying");
  expect(server.keys(bucket)).toEqual([]);

  const gone = path.join(tempDir("s3-gone"), "s3.toml");
  ok(cli(work, gone, ["init", "s3", "--bucket", "never-made", "--endpoint", server.url, "--path-style"]));
  const missing = fails(await cliAsync(work, gone, ["snapshots"], { env }));
  expect(errorReport(missing)).toContain(`there is no bucket never-made at ${server.url}`);
  // No bucket, no repository: exit status 10, as for a filesystem repository that isn't there.
  expect(missing.code).toBe(10);

  const closed = await FaultProxy.start(server.url);
  closed.stop();
  const { config: unreachable } = initS3(work, { endpoint: closed.url });
  const refused = fails(await cliAsync(work, unreachable, ["backup", src], { env: { ...env, BACKPAK_S3_RETRY_MS: undefined } as unknown as Record<string, string> }));
  expect(errorReport(refused)).toContain(`couldn't reach ${closed.url}: the connection was refused`);
  expect(errorReport(refused)).toContain("check the bucket, endpoint, region and path_style");

  const noKeys = fails(await cliAsync(work, config, ["snapshots"], { env: { BACKPAK_S3_RETRY_MS: "0" } }));
  expect(errorReport(noKeys)).toContain(`No credentials for the S3 bucket ${bucket}`);
});

test("a backup whose pack uploads keep failing stores no index or snapshot, and the next backup completes", async () => {
  const work = tempDir("s3-fail-work");
  const proxy = await FaultProxy.start(server.url);
  const { config, bucket } = initS3(work, { endpoint: proxy.url });
  const src = writeSrcTree(tempDir("s3-fail-src"));
  proxy.inject((r) => r.kind === "put" && r.url.pathname.includes("/packs/"), { status: 503, code: "SlowDown" }, 1000);
  const r = fails(await cliAsync(work, config, ["backup", src], { env }));
  expect(errorReport(r)).toMatch(/Gave up on S3 upload of packs\/[0-9a-z]+\.pack after 6 attempts/);
  expect(server.keys(bucket, "indexes/")).toEqual([]);
  expect(server.keys(bucket, "snapshots/")).toEqual([]);

  // The packs that did get stored are reused or ignored; the next backup, with S3 well again, completes.
  proxy.clearFaults();
  await s3(work, config, ["backup", src]);
  expect(server.keys(bucket, "snapshots/")).toHaveLength(1);
  await s3(work, config, ["check", "--read-packs"]);
});
