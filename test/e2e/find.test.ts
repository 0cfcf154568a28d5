/**
 * `find PATTERN...`: entries matching globs (as excludes take them) across snapshots, with type,
 * size and time, as text or JSON lines; --snapshot and the filters choose the snapshots, and a
 * tree already searched at the same path isn't read again.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, fails, lines, listedSnapshots, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const MTIME = new Date("2024-03-04T05:06:07Z");
/** An access time ahead of now, which reading an entry doesn't move (relatime), so unchanged directories keep their tree IDs. */
const ATIME = new Date(Date.now() + 3_600_000);

/** Sets the times of `dir` and everything beneath it. */
function setTimes(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) setTimes(path.join(dir, e.name));
  for (const e of fs.readdirSync(dir)) fs.utimesSync(path.join(dir, e), ATIME, MTIME);
  fs.utimesSync(dir, ATIME, MTIME);
}

/** Two snapshots of `proj` (with `docs` unchanged between them) by two authors. */
function twoSnapshots(label: string): { work: string; repo: string; proj: string; ids: string[] } {
  const { work, repo } = setup(label);
  const proj = path.join(fs.realpathSync(tempDir(`${label}-data`)), "proj");
  const files: Record<string, string> = { "README.md": "read me", "docs/guide.TXT": "guide", "docs/deep/notes.txt": "notes!", "src/main.ts": "main", "src/notes.txt": "n" };
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(proj, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  setTimes(proj);
  ok(cli(work, repo, ["backup", "-a", "alice", "--time", "2024-05-01T10:00:00Z", proj]));
  fs.writeFileSync(path.join(proj, "src", "extra.txt"), "12345678");
  setTimes(path.join(proj, "src"));
  ok(cli(work, repo, ["backup", "-a", "bob", "--time", "2024-05-02T10:00:00Z", proj]));
  return { work, repo, proj, ids: listedSnapshots(work, repo) };
}

/** The paths `find` prints (entry lines only). */
const found = (stdout: string): string[] => lines(stdout).filter((l) => !l.startsWith("Found ")).map((l) => l.split(/ +/).slice(3).join(" "));

test("find lists matching entries per snapshot with type, size and time", () => {
  const { work, repo, proj, ids } = twoSnapshots("find");
  const [first, second] = ids as [string, string];
  const out = ok(cli(work, repo, ["find", "*.txt"]));
  const t = "2024-03-04T05:06:07Z";
  expect(lines(out.stdout)).toEqual([
    `Found matching entries in snapshot ${first.slice(0, 8)} from Wed May 1 2024 10:00:00 UTC`,
    `file               6  ${t}  ${proj}/docs/deep/notes.txt`,
    `file               1  ${t}  ${proj}/src/notes.txt`,
    `Found matching entries in snapshot ${second.slice(0, 8)} from Thu May 2 2024 10:00:00 UTC`,
    `file               6  ${t}  ${proj}/docs/deep/notes.txt`,
    `file               8  ${t}  ${proj}/src/extra.txt`,
    `file               1  ${t}  ${proj}/src/notes.txt`,
  ]);
  expect(out.stdout).toContain("\n\nFound matching entries in snapshot");
  // docs is the same tree at the same path in both: the second snapshot's matches there come from what the first search found.
  expect(out.stderr).toMatch(new RegExp(`Tree [0-9a-v]{45} at ${proj}/docs was searched before: 1 entries found`));

  const find = (...args: string[]): string[] => found(ok(cli(work, repo, ["find", "-s", "LAST~1", ...args])).stdout);
  expect(find("-i", "*.txt")).toEqual([`${proj}/docs/deep/notes.txt`, `${proj}/docs/guide.TXT`, `${proj}/src/notes.txt`]);
  // A slash makes it a path pattern (matching at any depth unless it starts with one); a trailing slash, directories only.
  expect(find("src/*.txt")).toEqual([`${proj}/src/notes.txt`]);
  expect(find(`${proj}/*`)).toEqual(["README.md", "docs", "src"].map((n) => `${proj}/${n}`));
  expect(find("/notes.txt")).toEqual([]);
  expect(find("docs/**")).toEqual([`${proj}/docs/deep`, `${proj}/docs/deep/notes.txt`, `${proj}/docs/guide.TXT`]);
  expect(find("deep/", "notes*/")).toEqual([`${proj}/docs/deep`]);
  expect(find("*.txt", "*.md", "!src/*")).toEqual([`${proj}/README.md`, `${proj}/docs/deep/notes.txt`]);
  expect(lines(ok(cli(work, repo, ["find", "-s", "LAST~1", "deep"])).stdout)[1]).toMatch(new RegExp(`^dir {16}-  ${"2"}`));
  expect(find("nothing")).toEqual([]);
});

test("find --json prints one match object per line; snapshots and filters choose where to look", () => {
  const { work, repo, proj, ids } = twoSnapshots("find-json");
  const json = (...args: string[]): Record<string, unknown>[] => lines(ok(cli(work, repo, ["find", "--json", ...args])).stdout).map((l) => JSON.parse(l));
  expect(json("extra.txt", "README.md")).toEqual([
    { message_type: "match", snapshot: ids[0], path: `${proj}/README.md`, type: "file", size: 7, mtime: "2024-03-04T05:06:07Z" },
    { message_type: "match", snapshot: ids[1], path: `${proj}/README.md`, type: "file", size: 7, mtime: "2024-03-04T05:06:07Z" },
    { message_type: "match", snapshot: ids[1], path: `${proj}/src/extra.txt`, type: "file", size: 8, mtime: "2024-03-04T05:06:07Z" },
  ]);
  expect(json("src").map((m) => [m.type, m.size])).toEqual([["dir", null], ["dir", null]]);
  expect(json("--author", "alice", "*.md").map((m) => m.snapshot)).toEqual([ids[0]]);
  expect(json("--host", "bob", "-s", "latest", "*.md").map((m) => m.snapshot)).toEqual([ids[1]]);
  expect(json("-s", ids[0]!.slice(0, 6), "-s", "LAST", "*.md").map((m) => m.snapshot)).toEqual(ids);
  expect(json("--path", proj, "--tag", "none", "*.md")).toEqual([]);
});

test("find refuses a malformed glob and a missing pattern with exit status 2", () => {
  const { work, repo } = twoSnapshots("find-bad");
  const bad = fails(cli(work, repo, ["find", "[oops"]));
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(`Bad glob "[oops"`);
  expect(bad.stdout).toBe("");
  expect(fails(cli(work, repo, ["find"])).code).toBe(2);
});

test("a tree with more matches than are remembered is searched again, and its small neighbours are not", () => {
  const { work, repo } = setup("find-many");
  const root = path.join(fs.realpathSync(tempDir("find-many-data")), "root");
  const many = path.join(root, "many");
  fs.mkdirSync(many, { recursive: true });
  fs.mkdirSync(path.join(root, "few"));
  // More than the 4096 entries a remembered list may hold.
  for (let i = 0; i < 4200; i++) fs.writeFileSync(path.join(many, `m${i}.txt`), "");
  fs.writeFileSync(path.join(root, "few", "one.txt"), "1");
  setTimes(root);
  ok(cli(work, repo, ["backup", "--time", "2024-05-01T10:00:00Z", root]));
  ok(cli(work, repo, ["backup", "--allow-repeat", "--time", "2024-05-02T10:00:00Z", root]));
  const out = ok(cli(work, repo, ["find", "*.txt"]));
  const entries = found(out.stdout);
  expect(entries.length).toBe(2 * 4201);
  expect(entries.slice(0, 4201)).toEqual(entries.slice(4201));
  expect(new Set(entries).size).toBe(4201);
  expect(out.stderr).toContain(`at ${root}/few was searched before: 1 entries found`);
  expect(out.stderr).not.toContain(`at ${many} was searched before`);
  expect(out.stderr).not.toContain(`at ${root} was searched before`);
});
