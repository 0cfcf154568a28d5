/**
 * `backup --stdin NAME`: standard input from a pipe is stored as the file /NAME (mode 0644, the
 * time of the backup, the process's uid and gid), `dump` gives the same bytes back, a big stream
 * is stored in bounded memory, and a terminal on standard input or a bad NAME is a usage error.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { catJson, cleanUpAfterThisFile, cli, cliInTerminal, cliPiped, EMPTY_REPO, entriesIn, errorReport, lines, ok, setup, shellWord, tempDir } from "./harness.ts";
import { peakRssMeter } from "../helpers/peak-rss.ts";
import { sharedScratch } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

/** A small tree to archive: a few files, a subdirectory and a symlink. */
function someTree(): string {
  const dir = path.join(tempDir("stdin-tree"), "dir");
  fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
  fs.writeFileSync(path.join(dir, "a.txt"), "alpha\n");
  fs.writeFileSync(path.join(dir, "sub", "b.bin"), Buffer.alloc(200_000, 7));
  fs.symlinkSync("a.txt", path.join(dir, "link"));
  return dir;
}

test("tar -c dir | backup --stdin d.tar, then dump LAST d.tar gives the same bytes", async () => {
  const { work, repo } = setup("stdin-tar");
  const dir = someTree();
  const archive = path.join(tempDir("stdin-archive"), "d.tar");
  expect(Bun.spawnSync(["tar", "-c", "-f", archive, "-C", path.dirname(dir), "dir"]).exitCode).toBe(0);
  const r = await cliPiped(work, repo, `cat ${shellWord(archive)}`, ["backup", "--stdin", "d.tar"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Snaphsot [0-9a-z]+ done/);
  expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout)).toEqual(["d.tar"]);
  expect(ok(cli(work, repo, ["snapshots"])).stdout).toContain("- /d.tar");
  const dumped = ok(cli(work, repo, ["dump", "LAST", "d.tar"])).stdoutBytes;
  expect(Buffer.from(dumped).equals(fs.readFileSync(archive))).toBe(true);
});

test("the stored file has mode 0644, the backup's time and the uid and gid of the process", async () => {
  const { work, repo } = setup("stdin-meta");
  for (const d of [work, repo, ...["packs", "indexes", "snapshots", "locks"].map((s) => path.join(repo, s))]) fs.chmodSync(d, 0o777);
  const before = Date.now();
  const r = await cliPiped(work, repo, "printf 'hello from a pipe'", ["backup", "--stdin", "greeting.txt"], { asUser: 65534, cwd: work, env: { BACKPAK_SCRATCH_DIR: sharedScratch("stdin-meta-scratch") } });
  const after = Date.now();
  expect(r.code).toBe(0);
  const { tree } = catJson(work, repo, ["snapshot", "LAST"]) as { tree: string };
  const node = (catJson(work, repo, ["blob", tree]) as Record<string, { metadata: { mode: number; size: number; uid: number; gid: number; mtime: string } }>)["greeting.txt"]!;
  expect(node.metadata).toMatchObject({ mode: 0o100644, size: 17, uid: 65534, gid: 65534 });
  const mtime = Date.parse(node.metadata.mtime);
  expect(mtime).toBeGreaterThanOrEqual(before - 1);
  expect(mtime).toBeLessThanOrEqual(after + 1);
  const out = tempDir("stdin-meta-out");
  ok(cli(work, repo, ["restore", "-o", out, "LAST"]));
  expect(fs.readFileSync(path.join(out, "greeting.txt"), "utf8")).toBe("hello from a pipe");
});

test("300 MB from a pipe is stored in bounded memory and dumped back byte for byte", async () => {
  const { work, repo } = setup("stdin-big");
  const input = path.join(tempDir("stdin-big-input"), "in.bin");
  const meter = peakRssMeter();
  const r = await cliPiped(work, repo, `head -c 300000000 /dev/urandom | tee ${shellWord(input)}`, ["backup", "-q", "--stdin", "big.bin"], { wrapper: meter.wrapper });
  expect(r.code).toBe(0);
  expect(fs.statSync(input).size).toBe(300_000_000);
  // The whole input is bigger than the bound; a run that buffered it would pass it.
  expect(meter.peakBytes()).toBeLessThan(250 * 2 ** 20);
  const out = path.join(tempDir("stdin-big-out"), "out.bin");
  ok(cli(work, repo, ["dump", "-o", out, "LAST", "big.bin"]));
  expect(Bun.spawnSync(["cmp", input, out]).exitCode).toBe(0);
});

test("--stdin with a terminal on standard input is a usage error, and nothing is written", () => {
  const { work, repo } = setup("stdin-tty");
  const r = cliInTerminal(work, repo, ["backup", "--stdin", "db.sql"]);
  expect(r.code).toBe(2);
  expect(r.output).toContain("--stdin db.sql reads standard input, which is a terminal");
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
});

test("--stdin with a name that isn't one file name, or with paths too, is a usage error", async () => {
  const { work, repo } = setup("stdin-bad");
  const slash = await cliPiped(work, repo, "echo x", ["backup", "--stdin", "a/b"]);
  expect(slash.code).toBe(2);
  expect(errorReport(slash)).toContain('--stdin needs a file name, not "a/b"');
  const withPaths = await cliPiped(work, repo, "echo x", ["backup", "--stdin", "x", work]);
  expect(withPaths.code).toBe(2);
  expect(errorReport(withPaths)).toContain("can't be given paths too");
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
});
