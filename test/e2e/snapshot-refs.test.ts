/** Snapshot references (§1.2): LAST/HEAD with ~ and ~N, ID prefixes and full IDs, and their errors. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, errorReport, fails, listedSnapshots, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** The snapshot a reference resolves to, as `snapshots <ref>` prints it. */
const resolve = (work: string, repo: string, ref: string): string[] => listedSnapshots(work, repo, [ref]);

/** The shortest prefix (at least 4 characters) of `id` that no other ID shares. */
function uniquePrefix(id: string, others: readonly string[]): string {
  for (let n = 4; n <= id.length; n++) {
    const p = id.slice(0, n);
    if (!others.some((o) => o !== id && o.startsWith(p))) return p;
  }
  return id;
}

test("snapshot references resolve, and bad ones fail with backpak's messages", () => {
  const { work, repo } = setup("refs");
  const dir = tempDir("refs-data");
  const file = path.join(dir, "f.txt");
  const backup = (contents: string): void => {
    fs.writeFileSync(file, contents);
    ok(cli(work, repo, ["backup", dir]));
  };
  const err = (ref: string): string => errorReport(fails(cli(work, repo, ["ls", ref])));

  expect(err("LAST")).toContain("Don't have 1 snapshots yet");
  backup("one");
  backup("two");
  expect(listedSnapshots(work, repo).length).toBe(2);
  expect(err("LAST~2")).toContain("Don't have 3 snapshots yet");
  backup("three");

  const ids = listedSnapshots(work, repo);
  expect(ids.length).toBe(3);
  const [first, second, third] = ids as [string, string, string];
  expect(resolve(work, repo, "LAST")).toEqual([third]);
  expect(resolve(work, repo, "HEAD")).toEqual([third]);
  expect(resolve(work, repo, "LAST~0")).toEqual([third]);
  expect(resolve(work, repo, "LAST~")).toEqual([second]);
  expect(resolve(work, repo, "LAST~1")).toEqual([second]);
  expect(resolve(work, repo, "HEAD~1")).toEqual([second]);
  expect(resolve(work, repo, "HEAD~2")).toEqual([first]);
  expect(resolve(work, repo, first)).toEqual([first]);
  for (const id of ids) expect(resolve(work, repo, uniquePrefix(id, ids))).toEqual([id]);

  // Resolution is what every command uses: dump reads the snapshot the reference names.
  expect(ok(cli(work, repo, ["dump", "LAST~2", `${path.basename(dir)}/f.txt`])).stdout).toBe("one");
  expect(ok(cli(work, repo, ["dump", uniquePrefix(second, ids), `${path.basename(dir)}/f.txt`])).stdout).toBe("two");

  expect(err("LAST~3")).toContain("Don't have 4 snapshots yet");
  expect(err(first.slice(0, 3))).toContain("Provide a snapshot ID with at least 4 digits!");
  // 'w'..'z' are outside the base32hex alphabet, so no ID starts with them.
  expect(err("zzzz")).toContain("No snapshots start with zzzz");
  const missing = first.startsWith("0") ? `1${first.slice(1)}` : `0${first.slice(1)}`;
  expect(err(missing)).toContain(`No snapshot ${missing}`);
});
