/**
 * Commands sharing one S3 repository (a real s3rver): two concurrent backups both succeed, check
 * clean and restore byte for byte, with their locks under the repository's prefix while they run
 * and gone after; a prune during a held backup is refused with exit 11.
 */
import { expect, test } from "bun:test";
import path from "node:path";
import { S3RVER_KEY_ID, S3RVER_SECRET } from "../helpers/s3-server.ts";
import { s3ServerForThisFile } from "../helpers/servers-for-this-file.ts";
import { writeSeededTree } from "../helpers/seeded-tree.ts";
import { expectEveryRestore, heldBackup, ONE_WORKER, shortIdOf, stopRunsAfterEach, whileRunning } from "./concurrency-helpers.ts";
import { cleanUpAfterThisFile, cli, cliAsync, contentsOf, errorReport, fails, ok, tempDir } from "./harness.ts";

cleanUpAfterThisFile();
stopRunsAfterEach();

const server = await s3ServerForThisFile();
const env = { AWS_ACCESS_KEY_ID: S3RVER_KEY_ID, AWS_SECRET_ACCESS_KEY: S3RVER_SECRET, BACKPAK_S3_RETRY_MS: "0" };

test("two concurrent backups into one S3 repository succeed, check clean and restore byte for byte; a prune meanwhile is refused", async () => {
  const work = tempDir("s3-conc-work");
  server.addBucket("conc");
  const config = path.join(tempDir("s3-conc-repo"), "s3.toml");
  ok(cli(work, config, ["init", "s3", "--bucket", "conc", "--endpoint", server.url, "--path-style", "--prefix", "shared"]));
  const parent = tempDir("s3-conc-src");
  const srcs = [0, 1].map((i) => writeSeededTree(path.join(parent, `tree${i}`), { seed: 200 + i, own: 3, sharedSeed: 2, shared: 3, maxSize: 1 << 20 }));
  const runs = await Promise.all(srcs.map((src) => cliAsync(tempDir("s3-conc-backup"), config, ["backup", src], { env: { ...env, ...ONE_WORKER } })));
  const expected = new Map(runs.map((r, i) => [shortIdOf(ok(r)), contentsOf(srcs[i]!)]));
  expect(expected.size).toBe(2);
  const locks = (): string[] => server.keys("conc").filter((k) => k.startsWith("shared/locks/"));
  expect(locks()).toEqual([]);

  const third = writeSeededTree(path.join(parent, "tree2"), { seed: 202, own: 2, maxSize: 1 << 20 });
  const release = path.join(tempDir("s3-conc-release"), "go");
  const held = heldBackup(tempDir("s3-conc-held"), config, third, release, env);
  await whileRunning(held, () => locks().length === 1);
  const refused = fails(cli(work, config, ["prune"], { env }));
  expect(refused.code).toBe(11);
  expect(errorReport(refused)).toContain(`is locked by \`backup\` (PID ${held.pid}`);
  await Bun.write(release, "");
  expect(await held.exited).toBe(0);
  expect(locks()).toEqual([]);

  ok(cli(work, config, ["prune"], { env }));
  ok(cli(work, config, ["check", "--read-packs"], { env }));
  expectEveryRestore(config, expected, env);
});
