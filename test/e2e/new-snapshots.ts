/** What the snapshot-selection tests share: two small directories to back up, and a backup that returns the ID of the snapshot it stored. */
import { expect } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cli, objectIds, ok, tempDir } from "./harness.ts";

/** Directories `a` (holding `f.txt`) and `b` (holding `g.txt`) under a fresh real path. */
export function twoDirs(label: string): { a: string; b: string } {
  const data = fs.realpathSync(tempDir(`${label}-data`));
  const a = path.join(data, "a");
  const b = path.join(data, "b");
  fs.mkdirSync(a);
  fs.mkdirSync(b);
  fs.writeFileSync(path.join(a, "f.txt"), "in a");
  fs.writeFileSync(path.join(b, "g.txt"), "in b");
  return { a, b };
}

/** Runs `backup <args>` and returns the ID of the one snapshot it stored. */
export function backupNew(work: string, repo: string, args: readonly string[]): string {
  const before = new Set(objectIds(repo, "snapshots"));
  ok(cli(work, repo, ["backup", ...args]));
  const added = objectIds(repo, "snapshots").filter((id) => !before.has(id));
  expect(added.length).toBe(1);
  return added[0]!;
}
