/**
 * forget's grouping (by author and paths unless --group-by says otherwise: two hosts' snapshots
 * of one path keep one each under --keep-last 1) and forget --prune, with prune's exclusive lock.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { heldBackup, locksIn, stopRunsAfterEach, whileRunning } from "./concurrency-helpers.ts";
import { backupNew } from "./new-snapshots.ts";
import { cleanUpAfterThisFile, cli, errorReport, fails, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();
stopRunsAfterEach();

const short = (id: string): string => id.slice(0, 8);

/** Two authors' snapshots of one directory: alice's at 10:00 (tagged x), bob's at 11:00 and 12:00. */
function twoAuthors(label: string): { work: string; repo: string; dir: string; alice: string; bob1: string; bob2: string } {
  const { work, repo } = setup(label);
  const dir = path.join(fs.realpathSync(tempDir(`${label}-data`)), "home");
  fs.mkdirSync(dir);
  const backup = (args: string[]): string => {
    fs.writeFileSync(path.join(dir, "f.txt"), args.join(" "));
    return backupNew(work, repo, [...args, dir]);
  };
  const alice = backup(["-a", "alice", "-t", "x", "--time", "2024-05-01T10:00:00Z"]);
  const bob1 = backup(["-a", "bob", "--time", "2024-05-01T11:00:00Z"]);
  const bob2 = backup(["-a", "bob", "--time", "2024-05-01T12:00:00Z"]);
  return { work, repo, dir, alice, bob1, bob2 };
}

test("--keep-last 1 keeps each author's newest snapshot of a path; --group-by changes the groups", () => {
  const { work, repo, dir, alice, bob1, bob2 } = twoAuthors("group");
  const all = [alice, bob1, bob2].sort();

  const byAuthor = ok(cli(work, repo, ["forget", "-n", "--keep-last", "1"])).stdout;
  expect(byAuthor).toContain(
    [`Snapshots of ${dir} by alice:`, `keep   ${short(alice)}  2024-05-01 10:00:00 UTC  (last snapshot)`, "", `Snapshots of ${dir} by bob:`, `keep   ${short(bob2)}  2024-05-01 12:00:00 UTC  (last snapshot)`, `remove ${short(bob1)}  2024-05-01 11:00:00 UTC`].join("\n"),
  );
  // Grouped by paths only (as forget did before), alice's only snapshot would go.
  const byPaths = ok(cli(work, repo, ["forget", "-n", "--keep-last", "1", "--group-by", "paths"])).stdout;
  expect(byPaths).toContain([`Snapshots of ${dir}:`, `keep   ${short(bob2)}  2024-05-01 12:00:00 UTC  (last snapshot)`, `remove ${short(bob1)}  2024-05-01 11:00:00 UTC`, `remove ${short(alice)}  2024-05-01 10:00:00 UTC`].join("\n"));
  const none = ok(cli(work, repo, ["forget", "-n", "--keep-last", "1", "--group-by", ""])).stdout;
  expect(none).toContain(`All snapshots:\nkeep   ${short(bob2)}`);
  const byTags = ok(cli(work, repo, ["forget", "-n", "--keep-last", "1", "--group-by", "tags"])).stdout;
  expect(byTags).toContain(`Snapshots without tags:\nkeep   ${short(bob2)}`);
  expect(byTags).toContain(`Snapshots tagged x:\nkeep   ${short(alice)}`);
  expect(objectIds(repo, "snapshots")).toEqual(all);

  ok(cli(work, repo, ["forget", "--keep-last", "1"]));
  expect(objectIds(repo, "snapshots")).toEqual([alice, bob2].sort());

  const bad = fails(cli(work, repo, ["forget", "--keep-last", "1", "--group-by", "host"]));
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('"host" is not something snapshots can be grouped by');
  expect(fails(cli(work, repo, ["forget", "--group-by", "paths", "LAST"])).code).toBe(2);
  const help = ok(cli(work, repo, ["forget", "--help"])).stdout;
  expect(help).toContain("--group-by <FIELDS>");
  expect(help).toContain("`--group-by paths` groups as before");
  expect(objectIds(repo, "snapshots")).toEqual([alice, bob2].sort());
});

test("forget --prune forgets, then prunes under an exclusive lock it takes after giving back its shared one", async () => {
  const { work, repo, alice, bob1, bob2 } = twoAuthors("prune");
  const packs = objectIds(repo, "packs");

  // While a backup holds a shared lock, the forget goes through and the prune is refused (exit 11), its lock gone.
  const release = path.join(tempDir("prune-release"), "go");
  const src = tempDir("prune-src");
  fs.writeFileSync(path.join(src, "big"), "held");
  const held = heldBackup(tempDir("prune-held-work"), repo, src, release);
  await whileRunning(held, () => locksIn(repo).length === 1);
  const refused = fails(cli(work, repo, ["forget", "--author", "bob", "--keep-last", "1", "--prune"]));
  expect(refused.code).toBe(11);
  expect(refused.stdout).toContain(`Forgetting ${bob1}`);
  expect(errorReport(refused)).toContain("is locked by `backup`");
  expect(objectIds(repo, "snapshots")).toEqual([alice, bob2].sort());
  expect(locksIn(repo).length).toBe(1);
  fs.writeFileSync(release, "");
  expect(await held.exited).toBe(0);

  // Alone, it prunes: bob1's file contents were in no other snapshot, so a pack goes.
  const pruned = ok(cli(work, repo, ["forget", "--author", "alice", "--keep-last", "1", "--prune"]));
  // Its shared lock is removed before the exclusive one is taken.
  const log = pruned.stderr.split("\n");
  const shared = log.findIndex((l) => /Locked .*, shared\)/.test(l));
  const exclusive = log.findIndex((l) => /Locked .*, exclusive\)/.test(l));
  expect(shared).toBeGreaterThanOrEqual(0);
  expect(exclusive).toBeGreaterThan(shared);
  expect(log.slice(shared, exclusive).some((l) => l.includes("Removed the lock"))).toBe(true);
  expect(pruned.stdout).toMatch(/Keep \d+ packs .*drop [1-9]/);
  expect(objectIds(repo, "packs").filter((p) => packs.includes(p)).length).toBeLessThan(packs.length);
  expect(locksIn(repo)).toEqual([]);
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(fails(cli(work, repo, ["forget", "-n", "--prune", "--keep-last", "1"])).code).toBe(2);
});
