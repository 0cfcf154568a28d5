/**
 * A backup to an S3 or an SFTP repository killed outright (SIGKILL) after it stored some packs:
 * run again, from the same working directory or another (its scratch state is kept per
 * repository, not in the working directory), it resumes, uploads none of the stored packs again
 * (not even one whose file the killed run hadn't deleted yet), checks clean and restores byte for
 * byte.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { FaultProxy } from "../helpers/fault-proxy.ts";
import { randomBytes } from "../helpers/random.ts";
import { S3RVER_KEY_ID, S3RVER_SECRET } from "../helpers/s3-server.ts";
import { s3ServerForThisFile, sshdsForThisFile } from "../helpers/servers-for-this-file.ts";
import { cleanUpAfterThisFile, cli, cliAsync, contentsOf, ok, puts, spawnCli, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf, waitingPacks, whenRun } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

const s3server = await s3ServerForThisFile();
const sshd = await sshdsForThisFile()();
/** Each test runs the binary several times over 32 MiB. */
const LONG = 120_000;

/** A remote repository and what the test can see of it on the server. */
interface Remote {
  readonly config: string;
  readonly env: Record<string, string>;
  /** Keys of the packs stored on the server, sorted. */
  packs(): string[];
  /** The server's file holding a stored object's bytes. */
  fileOf(key: string): string;
  /**
   * Keys of the packs the runs since the last call uploaded (each time one was uploaded), or,
   * where the server can't tell, the stored packs whose file was written anew since then.
   */
  uploadedSince(): string[];
}

let buckets = 0;
/** An S3 repository in a new bucket, reached through a proxy that sees every upload. */
async function s3Remote(work: string): Promise<Remote> {
  const bucket = `resume-${++buckets}`;
  s3server.addBucket(bucket);
  const proxy = await FaultProxy.start(s3server.url);
  const config = path.join(tempDir("resume-s3"), "s3.toml");
  ok(cli(work, config, ["init", "--pack-size", "1MiB", "s3", "--bucket", bucket, "--endpoint", proxy.url, "--path-style"]));
  let seen = 0;
  return {
    config,
    env: { AWS_ACCESS_KEY_ID: S3RVER_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET },
    packs: () => s3server.keys(bucket, "packs/"),
    fileOf: (key) => path.join(s3server.dataDir, bucket, `${key}._S3rver_object`),
    uploadedSince: () => {
      const puts = proxy.requests.slice(seen).filter((r) => r.kind === "put" || r.kind === "create-multipart");
      seen = proxy.requests.length;
      return puts.map((r) => r.url.pathname.slice(`/${bucket}/`.length)).filter((k) => k.startsWith("packs/"));
    },
  };
}

/** An SFTP repository on the test's sshd; an upload shows as a pack file with a new inode (parts are renamed into place). */
async function sftpRemote(work: string): Promise<Remote> {
  const root = path.join(tempDir("resume-sftp-server"), "repo");
  const config = path.join(tempDir("resume-sftp"), "sftp.toml");
  const target = `${sshd.user}@127.0.0.1:${root}`;
  ok(await cliAsync(work, config, ["init", "--pack-size", "1MiB", "sftp", "--port", String(sshd.port), "--identity", sshd.identity, "--command", sshd.command, target]));
  const dir = path.join(root, "packs");
  const inodes = (): Map<string, number> => new Map(fs.readdirSync(dir).map((f) => [`packs/${f}`, fs.statSync(path.join(dir, f)).ino]));
  let before = inodes();
  return {
    config,
    env: {},
    packs: () => [...inodes().keys()].sort(),
    fileOf: (key) => path.join(root, key),
    uploadedSince: () => {
      const now = inodes();
      const rewritten = [...now].filter(([k, ino]) => before.has(k) && before.get(k) !== ino).map(([k]) => k);
      before = now;
      return rewritten;
    },
  };
}

const REMOTES = { S3: s3Remote, SFTP: sftpRemote };

/** 32 MiB that don't compress, in 4 MiB files: every 4 MiB frame makes a pack of its own. */
function writeSource(): string {
  const src = tempDir("resume-src");
  for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(700 + i, 4 << 20));
  return src;
}

/**
 * Starts a backup that can never finish (its fourth compression job stalls), waits until it has
 * uploaded at least one pack and has none left waiting in its scratch directory, and kills it;
 * returns that run's directory.
 */
async function killAfterUploads(work: string, remote: Remote, src: string): Promise<string> {
  const proc = spawnCli(work, remote.config, ["backup", src], { ...remote.env, BACKPAK_FAULT: "compress:4:stall", BACKPAK_WORKERS: "1" });
  // The WIP index lists a pack before its upload starts, and the pack's file goes only once it is stored.
  const { dir } = await whenRun(scratchRootOf(remote.config), proc, (d) => fs.existsSync(path.join(d, "backpak-wip.journal")) && waitingPacks(d).length === 0);
  proc.kill("SIGKILL");
  await proc.exited;
  return dir;
}


for (const [name, makeRemote] of Object.entries(REMOTES)) {
  for (const where of ["the same", "another"]) {
    test(`${name}: a killed backup resumes from ${where} working directory without uploading its stored packs again`, async () => {
      const work = tempDir("resume-work");
      const remote = await makeRemote(work);
      const src = writeSource();
      const killed = await killAfterUploads(work, remote, src);
      const stored = remote.packs();
      expect(stored.length).toBeGreaterThan(0);
      // A run killed after an upload but before it deleted the pack's file leaves that file too.
      fs.copyFileSync(remote.fileOf(stored[0]!), path.join(killed, path.basename(stored[0]!)));
      remote.uploadedSince();

      const rerunIn = where === "the same" ? work : tempDir("resume-other-work");
      const resumed = ok(await cliAsync(rerunIn, remote.config, ["backup", src], { env: remote.env }));
      expect(resumed.stderr).toContain(`Adopted what an interrupted run left in`);
      expect(resumed.stderr).toContain("WIP index file found, resuming where we left off");
      expect(resumed.stderr).toContain(`Pack ${path.basename(stored[0]!, ".pack")} is already stored; removed its copy in ${scratchRootOf(remote.config)}/`);
      expect(remote.uploadedSince().filter((k) => stored.includes(k))).toEqual([]);
      expect(remote.packs()).toEqual(expect.arrayContaining(stored));
      // Every put was a new pack, the index or the snapshot.
      expect(puts(resumed)).toBe(remote.packs().length - stored.length + 2);
      expect(fs.readdirSync(work)).toEqual([]);
      expect(fs.readdirSync(rerunIn)).toEqual([]);
      expect(runDirsIn(scratchRootOf(remote.config))).toEqual([]);

      ok(await cliAsync(rerunIn, remote.config, ["check", "--read-packs"], { env: remote.env }));
      const out = tempDir("resume-out");
      ok(await cliAsync(rerunIn, remote.config, ["restore", "--output", out, "LAST"], { env: remote.env }));
      expect(contentsOf(out)).toEqual(contentsOf(src));
    }, LONG);
  }
}
