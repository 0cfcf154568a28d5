/**
 * Two backups into one repository from the same working directory (a cron job and a manual run)
 * each keep their own run directory: the second neither adopts nor deletes anything of the first,
 * which is held (stopped) mid-way meanwhile, and both snapshots restore byte for byte.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, ok, setup, spawnCli, tempDir } from "./harness.ts";
import { runDirsIn, scratchRootOf, whenRun } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

/** Each file's name and size in `dir`. */
const listing = (dir: string): string[] => fs.readdirSync(dir).map((f) => `${f} ${fs.statSync(path.join(dir, f)).size}`).sort();

test("two backups from one working directory, one held mid-way while the other runs start to finish, both succeed and restore", async () => {
  const { work, repo } = setup("concurrent");
  const big = tempDir("concurrent-big");
  for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(big, `f${i}`), randomBytes(300 + i, 4 << 20));
  const small = tempDir("concurrent-small");
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(small, `g${i}`), randomBytes(400 + i, 100_000));
  const root = scratchRootOf(repo);

  // The first is stopped once it has listed a finished pack in its WIP index.
  const first = spawnCli(work, repo, ["backup", big]);
  const { dir, said } = await whenRun(root, first, (d) => fs.existsSync(path.join(d, "backpak-wip.journal")));
  first.kill("SIGSTOP");
  try {
    const held = listing(dir);
    const second = ok(cli(work, repo, ["backup", small]));
    expect(second.stderr).not.toContain("Adopted");
    expect(second.stderr).not.toContain("left by an interrupted run");
    expect(second.stderr).not.toContain("resuming");
    expect(listing(dir)).toEqual(held);
    expect(runDirsIn(root)).toEqual([path.basename(dir)]);
  } finally {
    first.kill("SIGCONT");
  }
  expect(await first.exited).toBe(0);
  expect(await said).not.toContain("Adopted");
  expect(runDirsIn(root)).toEqual([]);
  expect(fs.readdirSync(work)).toEqual([]);

  ok(cli(work, repo, ["check", "--read-packs"]));
  // The held run finished last, so its snapshot is the later one.
  for (const [ref, src] of [["LAST", big], ["LAST~1", small]] as const) {
    const out = tempDir("concurrent-out");
    ok(cli(work, repo, ["restore", "--output", out, ref]));
    expect(contentsOf(out)).toEqual(contentsOf(src));
  }
});
