/**
 * SFTP repositories end to end, the compiled binary against a real OpenSSH server: `init sftp`
 * creates the repository on the server and writes its config file; backup, snapshots, check
 * --read-packs, restore, forget, prune and copy (both ways) work; and an unknown host key, an
 * unreachable server, a wrong path, a read-only account and a server failing mid-backup each fail
 * at once with an error naming the repository, leaving no snapshot behind.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pinTimes, writeSrcTree } from "../fixtures/src-tree.ts";
import { randomBytes } from "../helpers/random.ts";
import { sshdsForThisFile } from "../helpers/servers-for-this-file.ts";
import { sshClient, type Sshd } from "../helpers/sshd.ts";
import { cleanUpAfterThisFile, cliAsync, contentsOf, entriesIn, errorReport, fails, home, lines, ok, tempDir, type RunResult } from "./harness.ts";

cleanUpAfterThisFile();

const start = sshdsForThisFile();
const sshd = await start();
/** Each test runs the binary many times. */
const LONG = 120_000;

/** Runs without blocking this process, and so the test's sshd logging, meanwhile. */
const run = (work: string, config: string, args: readonly string[]): Promise<RunResult> => cliAsync(work, config, args);

/** `init sftp` of `root` on `server`, reached the way the tests' ssh config allows. */
function initSftp(work: string, config: string, root: string, opts: { server?: Sshd; command?: string; before?: readonly string[] } = {}): Promise<RunResult> {
  const server = opts.server ?? sshd;
  const target = `${server.user}@127.0.0.1:${root}`;
  return run(work, config, ["init", ...(opts.before ?? []), "sftp", "--port", String(server.port), "--identity", server.identity, "--command", opts.command ?? server.command, target]);
}

/** A fresh SFTP repository: its config file, and its directory on the server. */
async function sftpRepo(label: string): Promise<{ work: string; config: string; root: string }> {
  const work = tempDir(`${label}-work`);
  const config = path.join(tempDir(`${label}-config`), "sftp.toml");
  const root = path.join(tempDir(`${label}-server`), "repo");
  ok(await initSftp(work, config, root));
  return { work, config, root };
}

/** The same repository's config, reached through `server` instead. */
function viaServer(config: string, server: Sshd): string {
  const other = path.join(tempDir("sftp-via"), "sftp.toml");
  fs.writeFileSync(other, fs.readFileSync(config, "utf8").replace(/^port = \d+$/m, `port = ${server.port}`));
  return other;
}

const snapshotIds = (r: RunResult): string[] => lines(r.stdout).filter((l) => l.startsWith("snapshot ")).map((l) => l.split(" ")[1]!);
const stored = (root: string, folder: string): string[] => fs.readdirSync(path.join(root, folder)).sort();

test("init sftp creates the repository's directories on the server and writes the config file; a taken path is refused", async () => {
  const work = tempDir("sftp-init-work");
  const config = path.join(tempDir("sftp-init"), "sftp.toml");
  const root = path.join(tempDir("sftp-init-server"), "backups", "repo");
  const r = ok(await initSftp(work, config, root, { before: ["--pack-size", "64MiB"] }));
  expect(r.stderr).toContain(`Initialized the SFTP repository ${sshd.user}@127.0.0.1:${root}; its configuration is in ${config}`);
  expect(fs.readFileSync(config, "utf8")).toBe(
    [
      'pack_size = "64 MiB"',
      "",
      "[backend]",
      'type = "SFTP"',
      'host = "127.0.0.1"',
      `path = "${root}"`,
      `user = "${sshd.user}"`,
      `port = ${sshd.port}`,
      `identity = "${sshd.identity}"`,
      `command = "${sshd.command}"`,
      "",
    ].join("\n"),
  );
  expect(fs.statSync(config).mode & 0o777).toBe(0o600);
  expect(entriesIn(root)).toEqual(["indexes/", "locks/", "packs/", "snapshots/"]);

  // The config path is taken: refused before the server is contacted.
  const elsewhere = path.join(tempDir("sftp-init-server"), "repo");
  expect(errorReport(fails(await initSftp(work, config, elsewhere)))).toContain(`${config} already exists`);
  expect(fs.existsSync(elsewhere)).toBe(false);

  const nowhere = path.join(tempDir("sftp-init"), "missing-dir", "sftp.toml");
  expect(errorReport(fails(await initSftp(work, nowhere, elsewhere)))).toContain(`Couldn't create ${nowhere}`);
  expect(fs.existsSync(elsewhere)).toBe(false);

  // The directory on the server holds something: refused, and no config file is written.
  const second = path.join(tempDir("sftp-init"), "second.toml");
  expect(errorReport(fails(await initSftp(work, second, root)))).toContain(`The directory ${root} on 127.0.0.1 already exists and isn't empty`);
  expect(fs.existsSync(second)).toBe(false);

  const usage = fails(await run(work, path.join(tempDir("sftp-init"), "x.toml"), ["init", "sftp", "no-colon-here"]));
  expect(errorReport(usage)).toContain("invalid value 'no-colon-here' for '<TARGET>': give [USER@]HOST:PATH");
}, LONG);

test("an SFTP repository backs up, checks every pack, restores byte for byte, forgets, prunes and copies both ways", async () => {
  const { work, config, root } = await sftpRepo("sftp");
  const src = writeSrcTree(tempDir("sftp-src"));
  pinTimes(src);

  ok(await run(work, config, ["backup", src]));
  expect(stored(root, "packs").length).toBeGreaterThan(0);
  expect(stored(root, "indexes")).toHaveLength(1);
  const [first] = snapshotIds(ok(await run(work, config, ["snapshots"])));
  expect(stored(root, "snapshots")).toEqual([`${first}.snapshot`]);
  ok(await run(work, config, ["check", "--read-packs"]));

  // With the local cache gone, restore downloads what it needs.
  fs.rmSync(path.join(home(), "xdg-cache"), { recursive: true, force: true });
  const out = tempDir("sftp-out");
  ok(await run(work, config, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));

  ok(await run(work, config, ["backup", path.join(src, "ui")]));
  const snapshots = snapshotIds(ok(await run(work, config, ["snapshots"])));
  expect(snapshots).toHaveLength(2);
  ok(await run(work, config, ["forget", snapshots[0]!]));
  const packsBefore = stored(root, "packs");
  expect(ok(await run(work, config, ["prune"])).stdout).toContain("and replace the 2 current indexes");
  expect(stored(root, "packs")).not.toEqual(packsBefore);
  expect(stored(root, "indexes")).toHaveLength(1);
  expect(stored(root, "snapshots")).toEqual([`${snapshots[1]}.snapshot`]);
  ok(await run(work, config, ["check", "--read-packs"]));
  expect(ok(await run(work, config, ["prune"])).stdout).toContain("Nothing to do.");
  // No upload left a part behind.
  expect(entriesIn(root).filter((e) => e.endsWith(".part"))).toEqual([]);

  // SFTP to a filesystem repository and back to a second SFTP one: the same snapshot, same ID.
  const local = tempDir("sftp-copy-local");
  ok(await run(work, local, ["init", "filesystem"]));
  ok(await run(work, config, ["copy", "--all", "--to", local]));
  const second = await sftpRepo("sftp-copy");
  ok(await run(work, local, ["copy", "--all", "--to", second.config]));
  expect(snapshotIds(ok(await run(work, second.config, ["snapshots"])))).toEqual([snapshots[1]!]);
  ok(await run(work, second.config, ["check", "--read-packs"]));
  const again = tempDir("sftp-again");
  ok(await run(work, second.config, ["restore", "--output", again, "LAST"]));
  expect(contentsOf(again)).toEqual(contentsOf(path.join(src, "ui")));
}, LONG);

test("an unknown or changed host key is refused with an error saying so, and nothing is created", async () => {
  const work = tempDir("sftp-hostkey-work");
  const config = path.join(tempDir("sftp-hostkey"), "sftp.toml");
  const root = path.join(tempDir("sftp-hostkey-server"), "repo");
  const unknown = sshClient(tempDir("sftp-hostkey-client"), "");
  const r = fails(await initSftp(work, config, root, { command: unknown.command }));
  const report = errorReport(r);
  expect(report).toContain(`Couldn't connect to SFTP repository ${sshd.user}@127.0.0.1:${root}: ssh exited with status 255`);
  expect(report).toContain("Host key verification failed.");
  expect(report).toContain("Hint: the server's host key is unknown or has changed, and backpak never accepts one by itself");
  expect(fs.existsSync(root)).toBe(false);
  expect(fs.existsSync(config)).toBe(false);
  expect(fs.readFileSync(unknown.knownHosts, "utf8")).toBe("");

  // An existing repository whose server now shows another key.
  const repo = await sftpRepo("sftp-changed");
  const otherKey = fs.readFileSync(`${sshd.identity}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
  const changed = sshClient(tempDir("sftp-hostkey-client"), `[127.0.0.1]:${sshd.port} ${otherKey}\n`);
  fs.writeFileSync(repo.config, fs.readFileSync(repo.config, "utf8").replace(/^command = .*$/m, `command = "${changed.command}"`));
  const src = writeSrcTree(tempDir("sftp-hostkey-src"));
  const backup = errorReport(fails(await run(repo.work, repo.config, ["backup", src])));
  expect(backup).toContain("REMOTE HOST IDENTIFICATION HAS CHANGED");
  expect(backup).toContain("Hint: the server's host key is unknown or has changed");
  expect(entriesIn(repo.root)).toEqual(["indexes/", "locks/", "packs/", "snapshots/"]);
}, LONG);

test("an unreachable server, a wrong path and a read-only account fail at once, naming the repository and what to check", async () => {
  const { work, config, root } = await sftpRepo("sftp-bad");
  const repo = `SFTP repository ${sshd.user}@127.0.0.1:${root}`;

  // Nothing listens on a stopped server's port.
  const gone = await start();
  await gone.stop();
  const unreachable = errorReport(fails(await run(work, viaServer(config, gone), ["snapshots"])));
  expect(unreachable).toContain(`Couldn't connect to ${repo}: ssh exited with status 255`);
  expect(unreachable).toContain("Connection refused");
  expect(unreachable).toContain("Hint: couldn't reach the SSH server, or it went away: check the host name, the port and your network");

  const wrong = path.join(tempDir("sftp-config"), "wrong.toml");
  fs.writeFileSync(wrong, fs.readFileSync(config, "utf8").replace(/^path = .*$/m, `path = "${root}-missing"`));
  const missingRun = fails(await run(work, wrong, ["snapshots"]));
  // No directory, no repository: exit status 10.
  expect(missingRun.code).toBe(10);
  const missing = errorReport(missingRun);
  // The first thing a command does is take its lock.
  expect(missing).toContain(`Couldn't find locks/ in SFTP repository ${sshd.user}@127.0.0.1:${root}-missing`);
  expect(missing).toContain("Hint: check the path in the repository's config file; `backpak init sftp` creates a repository");

  // A server that refuses every write: init and backup fail; reading works without a lock.
  const readOnly = await start({ subsystem: "internal-sftp -R" });
  const denied = path.join(tempDir("sftp-ro-server"), "repo");
  const init = errorReport(fails(await initSftp(work, path.join(tempDir("sftp-config"), "ro.toml"), denied, { server: readOnly })));
  expect(init).toContain(`Couldn't create the directories in SFTP repository ${readOnly.user}@127.0.0.1:${denied}`);
  expect(init).toContain("Permission denied");
  expect(init).toContain(`Hint: check that the account ${readOnly.user} may read and write ${denied} and everything in it on 127.0.0.1`);
  const src = writeSrcTree(tempDir("sftp-bad-src"));
  const backup = errorReport(fails(await run(work, viaServer(config, readOnly), ["backup", src])));
  expect(backup).toContain(`in ${repo}`);
  expect(backup).toContain("Permission denied");
  expect(entriesIn(root)).toEqual(["indexes/", "locks/", "packs/", "snapshots/"]);
  // Reading takes a lock, which a read-only server refuses: --no-lock reads without one.
  expect(errorReport(fails(await run(work, viaServer(config, readOnly), ["snapshots"])))).toContain("give --no-lock before the command");
  ok(await run(work, viaServer(config, readOnly), ["--no-lock", "snapshots"]));
}, LONG);

test("a server failing mid-backup fails it with no snapshot stored; the next backup completes and checks", async () => {
  const { work, config, root } = await sftpRepo("sftp-mid");
  // This server's connections die once they write past 128 KiB of a file: the first pack's upload.
  const dying = await start({ fileSizeLimit: 128 * 1024 });
  const src = tempDir("sftp-mid-src");
  fs.writeFileSync(path.join(src, "big"), randomBytes(1, 4 << 20));
  const r = errorReport(fails(await run(work, viaServer(config, dying), ["backup", src])));
  expect(r).toContain(`Lost the connection to SFTP repository ${sshd.user}@127.0.0.1:${root}`);
  expect(r).toMatch(/Hint: .*went away/);
  expect(stored(root, "snapshots")).toEqual([]);
  expect(stored(root, "indexes")).toEqual([]);

  ok(await run(work, config, ["backup", src]));
  expect(stored(root, "snapshots")).toHaveLength(1);
  ok(await run(work, config, ["check", "--read-packs"]));
  const out = tempDir("sftp-mid-out");
  ok(await run(work, config, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
}, LONG);
