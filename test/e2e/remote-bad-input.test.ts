/**
 * The bad input of issue 9 that s3.test.ts and sftp.test.ts leave out: an S3 server that dies
 * mid-upload or whose storage is full, an SFTP server that refuses the login, and an SFTP server
 * whose disk is full (a small tmpfs; skipped where mounting isn't allowed). Each backup fails
 * with a non-zero exit and an error naming the repository and what to check, and stores no index
 * or snapshot.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { FaultProxy, type ProxiedRequest } from "../helpers/fault-proxy.ts";
import { randomBytes } from "../helpers/random.ts";
import { S3RVER_KEY_ID, S3RVER_SECRET } from "../helpers/s3-server.ts";
import { s3ServerForThisFile, sshdsForThisFile } from "../helpers/servers-for-this-file.ts";
import { canMount, growSmallDisk, mountSmallDisk, unmount } from "../helpers/tmpfs.ts";
import { cli, cliAsync, cleanUpAfterThisFile, contentsOf, errorReport, fails, ok, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const s3server = await s3ServerForThisFile();
const sshd = await sshdsForThisFile()();
const s3env = { AWS_ACCESS_KEY_ID: S3RVER_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET, BACKPAK_S3_RETRY_MS: "0" };
const LONG = 120_000;

/** 9 MiB that don't compress, in three files: several 1 MiB packs. */
function writeSource(): string {
  const src = tempDir("bad-remote-src");
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(src, `big${i}`), randomBytes(300 + i, 3 << 20));
  return src;
}

let buckets = 0;
/** An S3 repository with 1 MiB packs in a new bucket, reached through a fault proxy. */
async function s3Repo(work: string): Promise<{ config: string; bucket: string; proxy: FaultProxy }> {
  const bucket = `bad-${++buckets}`;
  s3server.addBucket(bucket);
  const proxy = await FaultProxy.start(s3server.url);
  const config = path.join(tempDir("bad-s3"), "s3.toml");
  ok(cli(work, config, ["init", "--pack-size", "1MiB", "s3", "--bucket", bucket, "--endpoint", proxy.url, "--path-style"]));
  return { config, bucket, proxy };
}

const isPackUpload = (r: ProxiedRequest): boolean => r.kind === "put" && r.url.pathname.includes("/packs/");

/** Asserts that the failed run stored no index and no snapshot in the bucket. */
function expectNoIndexOrSnapshot(bucket: string): void {
  expect(s3server.keys(bucket, "indexes/")).toEqual([]);
  expect(s3server.keys(bucket, "snapshots/")).toEqual([]);
}

test("an S3 server that dies mid-upload fails the backup, naming the bucket and endpoint, and stores no index or snapshot", async () => {
  const work = tempDir("bad-s3-dies-work");
  const { config, bucket, proxy } = await s3Repo(work);
  // The second pack's upload finds the server gone: the connection drops and later ones are refused.
  let packs = 0;
  proxy.inject((r) => isPackUpload(r) && ++packs === 2, "die");
  const r = fails(await cliAsync(work, config, ["backup", writeSource()], { env: s3env }));
  const report = errorReport(r);
  expect(report).toMatch(/Gave up on S3 upload of packs\/[0-9a-z]+\.pack after 6 attempts/);
  expect(report).toContain("ConnectionRefused (the connection was refused)");
  expect(report).toContain(`Hint: The S3 bucket ${bucket} at ${proxy.url} or the network to it is having trouble`);
  expect(s3server.keys(bucket, "packs/")).toHaveLength(1);
  expectNoIndexOrSnapshot(bucket);
}, LONG);

test("an S3 server out of storage fails the backup at once, saying the bucket is full, and stores no index or snapshot", async () => {
  const work = tempDir("bad-s3-full-work");
  const { config, bucket, proxy } = await s3Repo(work);
  const src = writeSource();
  // What MinIO answers when its drives are full (s3rver never runs out).
  proxy.inject(isPackUpload, { status: 507, code: "XMinioStorageFull" }, 1000);
  const r = fails(await cliAsync(work, config, ["backup", src], { env: s3env }));
  const report = errorReport(r);
  expect(report).toMatch(/S3 upload of packs\/[0-9a-z]+\.pack: XMinioStorageFull/);
  expect(report).toContain(`Hint: the S3 bucket ${bucket} at ${proxy.url} is out of storage or over its quota`);
  // Not retried: it won't go away by itself.
  expect(r.stderr).not.toContain("retrying");
  // Several packs may be uploading at once, but none is tried twice.
  const uploads = proxy.requests.filter(isPackUpload).map((u) => u.url.pathname + u.url.search);
  expect(uploads.length).toBeGreaterThan(0);
  expect(new Set(uploads).size).toBe(uploads.length);
  expectNoIndexOrSnapshot(bucket);

  // Given room, the same backup resumes and completes.
  proxy.clearFaults();
  const resumed = ok(await cliAsync(work, config, ["backup", src], { env: s3env }));
  expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
  ok(await cliAsync(work, config, ["check", "--read-packs"], { env: s3env }));
}, LONG);

/** An SFTP repository with 1 MiB packs at `root` on the test's sshd. */
async function sftpRepo(work: string, root: string): Promise<string> {
  const config = path.join(tempDir("bad-sftp"), "sftp.toml");
  const target = `${sshd.user}@127.0.0.1:${root}`;
  ok(await cliAsync(work, config, ["init", "--pack-size", "1MiB", "sftp", "--port", String(sshd.port), "--identity", sshd.identity, "--command", sshd.command, target]));
  return config;
}

const storedIn = (root: string, folder: string): string[] => fs.readdirSync(path.join(root, folder));

test("an SFTP server that refuses the login fails the backup, saying to check the user and key, and nothing is stored", async () => {
  const work = tempDir("bad-sftp-key-work");
  const root = path.join(tempDir("bad-sftp-key-server"), "repo");
  const config = await sftpRepo(work, root);
  // A key the account doesn't know.
  const stranger = path.join(tempDir("bad-sftp-key"), "id_stranger");
  expect(Bun.spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger]).exitCode).toBe(0);
  fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace(/^identity = .*$/m, `identity = "${stranger}"`));
  const r = fails(await cliAsync(work, config, ["backup", writeSource()]));
  const report = errorReport(r);
  expect(report).toContain(`Couldn't connect to SFTP repository ${sshd.user}@127.0.0.1:${root}: ssh exited with status 255`);
  expect(report).toContain("Permission denied");
  expect(report).toContain("Hint: the server refused to log in: check the user name, that the account's authorized_keys holds your public key");
  for (const folder of ["packs", "indexes", "snapshots"]) expect(storedIn(root, folder)).toEqual([]);
}, LONG);

test.skipIf(!canMount)("an SFTP server whose disk is full fails the backup, saying to check its room, and it resumes once there is room", async () => {
  const disk = mountSmallDisk("bad-sftp-disk", 4)!;
  try {
    const work = tempDir("bad-sftp-full-work");
    const root = path.join(disk, "repo");
    const config = await sftpRepo(work, root);
    const src = writeSource();
    const r = fails(await cliAsync(work, config, ["backup", src]));
    const report = errorReport(r);
    expect(report).toMatch(new RegExp(`Couldn't store packs/[0-9a-z]+\\.pack in SFTP repository ${sshd.user}@127\\.0\\.0\\.1:${root}`));
    expect(report).toContain(`Hint: the server didn't say why; most often its disk is full: check that ${root} on 127.0.0.1 has room`);
    expect(storedIn(root, "indexes")).toEqual([]);
    expect(storedIn(root, "snapshots")).toEqual([]);
    // No upload left a part behind on the server.
    expect(storedIn(root, "packs").filter((f) => !f.endsWith(".pack"))).toEqual([]);

    growSmallDisk(disk, 32);
    const resumed = ok(await cliAsync(work, config, ["backup", src]));
    expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
    ok(await cliAsync(work, config, ["check", "--read-packs"]));
    const out = tempDir("bad-sftp-full-out");
    ok(await cliAsync(work, config, ["restore", "--output", out, "LAST"]));
    expect(contentsOf(out)).toEqual(contentsOf(src));
  } finally {
    unmount(disk);
  }
}, LONG);
