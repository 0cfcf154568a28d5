/**
 * An append-only SFTP account, as the README sets one up: OpenSSH's internal-sftp refusing every
 * request that deletes or replaces (remove, rmdir, posix-rename) or changes attributes, creating
 * files read-only. Backups and copies into it work; forget and prune fail, naming what they
 * couldn't delete; nothing stored is lost.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { sshdsForThisFile } from "../helpers/servers-for-this-file.ts";
import { cleanUpAfterThisFile, cli, cliAsync, contentsOf, errorReport, fails, ok, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const APPEND_ONLY_SFTP = "internal-sftp -u 0222 -P remove,rmdir,posix-rename,setstat,fsetstat,lsetstat";

const start = sshdsForThisFile();
const full = await start();
const appendOnly = await start({ subsystem: APPEND_ONLY_SFTP });

test("backup and copy work through an append-only SFTP account; forget and prune fail and delete nothing", async () => {
  const work = tempDir("sftp-ao-work");
  const root = path.join(tempDir("sftp-ao-server"), "repo");
  const config = path.join(work, "full.toml");
  ok(await cliAsync(work, config, ["init", "--pack-size", "1MiB", "sftp", "--port", String(full.port), "--identity", full.identity, "--command", full.command, `${full.user}@127.0.0.1:${root}`]));
  // The same repository through the append-only account.
  const limited = path.join(work, "append-only.toml");
  fs.writeFileSync(limited, fs.readFileSync(config, "utf8").replace(/^port = \d+$/m, `port = ${appendOnly.port}`));

  const src = path.join(work, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(40 + i, 1 << 20));
  ok(await cliAsync(work, limited, ["backup", src]));
  fs.writeFileSync(path.join(src, "f0"), randomBytes(50, 1 << 20));
  ok(await cliAsync(work, limited, ["backup", src]));
  // Objects are created read-only, so not even their owner can rewrite them.
  for (const name of fs.readdirSync(path.join(root, "packs"))) expect(fs.statSync(path.join(root, "packs", name)).mode & 0o222).toBe(0);

  const local = path.join(work, "local");
  ok(cli(work, local, ["init", "filesystem"]));
  ok(cli(work, local, ["backup", path.join(work, "src")]));
  ok(await cliAsync(work, local, ["copy", "--all", "--to", limited]));

  const stored = (folder: string): string[] => fs.readdirSync(path.join(root, folder)).sort();
  const before = { packs: stored("packs"), indexes: stored("indexes"), snapshots: stored("snapshots") };
  const first = before.snapshots[0]!.replace(/\.snapshot$/, "");
  const forget = errorReport(fails(await cliAsync(work, limited, ["forget", first])));
  expect(forget).toContain(`snapshots/${first}.snapshot`);
  expect(forget).toContain("Permission denied");
  ok(await cliAsync(work, config, ["forget", first]));
  const prune = errorReport(fails(await cliAsync(work, limited, ["prune"])));
  expect(prune).toMatch(/(indexes|packs)\/[0-9a-v]+\.(index|pack)/);
  expect(prune).toContain("Permission denied");
  expect(stored("packs")).toEqual(expect.arrayContaining(before.packs));

  ok(await cliAsync(work, config, ["check", "--read-packs"]));
  const out = tempDir("sftp-ao-out");
  ok(await cliAsync(work, config, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(src));
}, 120_000);
