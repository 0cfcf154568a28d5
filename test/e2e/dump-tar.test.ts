/**
 * `dump --archive tar SNAP DIR`: the archive, extracted by GNU tar, reproduces the backed-up tree
 * (contents, modes, owners, nanosecond mtimes, symlinks, empty and long-named entries); `-o FILE`
 * writes the same bytes; a big tree is archived in bounded memory; a file is still dumped as its
 * bytes; an unknown format is a usage error.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, ok, setup, shellWord, tempDir } from "./harness.ts";
import { peakRssMeter } from "../helpers/peak-rss.ts";
import { randomBytes } from "../helpers/random.ts";

cleanUpAfterThisFile();

const LONG = "n".repeat(120);

/** A tree with what tar has to carry: long and non-ASCII names, modes, owners, odd mtimes, links, empty things. */
function awkwardTree(): string {
  const src = path.join(tempDir("tar-src"), "src");
  fs.mkdirSync(path.join(src, "sub", "deeper"), { recursive: true });
  fs.mkdirSync(path.join(src, "empty-dir"));
  fs.mkdirSync(path.join(src, `${LONG}-dir`));
  fs.writeFileSync(path.join(src, "a.txt"), "alpha\n");
  fs.writeFileSync(path.join(src, "empty"), "");
  fs.writeFileSync(path.join(src, "sub", "big.bin"), randomBytes(7, 5_000_000));
  fs.writeFileSync(path.join(src, "sub", "deeper", "ünïcødé ✓.txt"), "unicode\n");
  fs.writeFileSync(path.join(src, `${LONG}-dir`, `${LONG}.txt`), "long\n");
  fs.writeFileSync(path.join(src, "script.sh"), "#!/bin/sh\n");
  fs.symlinkSync("a.txt", path.join(src, "link"));
  fs.symlinkSync(`${"../".repeat(40)}${LONG}`, path.join(src, "long-link"));
  fs.chmodSync(path.join(src, "script.sh"), 0o4755);
  fs.chmodSync(path.join(src, "sub"), 0o750);
  fs.chmodSync(path.join(src, "a.txt"), 0o600);
  fs.chownSync(path.join(src, "a.txt"), 1234, 5678);
  fs.chownSync(path.join(src, "sub", "big.bin"), 3_000_000, 3_000_001); // too big for ustar's octal fields
  fs.utimesSync(path.join(src, "empty"), new Date("1999-12-31T23:59:59.5Z"), new Date("1999-12-31T23:59:59.5Z"));
  fs.utimesSync(path.join(src, "a.txt"), new Date("2001-02-03T04:05:06Z"), new Date("2001-02-03T04:05:06Z"));
  return src;
}

/** Each entry under `dir` with its type, mode, owner, nanosecond mtime and (for symlinks) target. */
function described(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const full = path.join(dir, rel);
    const st = fs.lstatSync(full, { bigint: true });
    const target = st.isSymbolicLink() ? ` -> ${fs.readlinkSync(full)}` : "";
    // Symlink mtimes aren't set by tar -x; everything else must match.
    const mtime = st.isSymbolicLink() ? "" : ` ${st.mtimeNs}`;
    out.push(`${rel || "."} ${st.mode.toString(8)} ${st.uid}:${st.gid}${mtime}${target}`);
    if (st.isDirectory()) for (const name of fs.readdirSync(full).sort()) walk(path.join(rel, name));
  };
  walk("");
  return out;
}

test("dump --archive tar | tar -x reproduces the tree: contents, modes, owners, mtimes, symlinks", () => {
  const { work, repo } = setup("tar");
  const src = awkwardTree();
  ok(cli(work, repo, ["backup", src]));
  const archive = ok(cli(work, repo, ["dump", "--archive", "tar", "LAST", "src"])).stdoutBytes;
  expect(archive.length % 512).toBe(0);
  const into = tempDir("tar-out");
  const x = Bun.spawnSync(["tar", "-x", "-f", "-", "-C", into, "--same-owner", "--same-permissions"], { stdin: archive, stderr: "pipe" });
  expect(x.stderr.toString()).toBe("");
  expect(x.exitCode).toBe(0);
  expect(Bun.spawnSync(["diff", "-r", "--no-dereference", src, path.join(into, "src")]).exitCode).toBe(0);
  expect(described(path.join(into, "src"))).toEqual(described(src));
});

test("dump --archive tar -o FILE writes the same archive; a file is still dumped as its bytes", () => {
  const { work, repo } = setup("tar-o");
  const src = awkwardTree();
  ok(cli(work, repo, ["backup", src]));
  const piped = ok(cli(work, repo, ["dump", "--archive", "tar", "LAST", "src/sub"])).stdoutBytes;
  const file = path.join(tempDir("tar-o-out"), "sub.tar");
  ok(cli(work, repo, ["dump", "--archive", "tar", "-o", file, "LAST", "src/sub"]));
  expect(Buffer.from(piped).equals(fs.readFileSync(file))).toBe(true);
  const listed = Bun.spawnSync(["tar", "-t", "-f", file]).stdout.toString().trim().split("\n");
  expect(listed).toEqual(["src/sub/", "src/sub/big.bin", "src/sub/deeper/", "src/sub/deeper/ünïcødé ✓.txt"]);
  expect(ok(cli(work, repo, ["dump", "--archive", "tar", "LAST", "src/a.txt"])).stdout).toBe("alpha\n");
});

test("a 300 MB tree is archived in bounded memory, byte for byte", () => {
  const { work, repo } = setup("tar-big");
  const src = path.join(tempDir("tar-big-src"), "big");
  fs.mkdirSync(src);
  const made = Bun.spawnSync(["sh", "-c", `head -c 300000000 /dev/urandom > ${shellWord(path.join(src, "data.bin"))}`]);
  expect(made.exitCode).toBe(0);
  ok(cli(work, repo, ["backup", "-q", src]));
  const archive = path.join(tempDir("tar-big-out"), "big.tar");
  const meter = peakRssMeter();
  ok(cli(work, repo, ["dump", "--archive", "tar", "-o", archive, "LAST", "big"], { wrapper: meter.wrapper }));
  // The archive is bigger than the bound; a dump that held it, or every chunk it read, would pass it.
  expect(fs.statSync(archive).size).toBeGreaterThan(300_000_000);
  expect(meter.peakBytes()).toBeLessThan(250 * 2 ** 20);
  const into = tempDir("tar-big-x");
  expect(Bun.spawnSync(["tar", "-x", "-f", archive, "-C", into]).exitCode).toBe(0);
  expect(Bun.spawnSync(["cmp", path.join(src, "data.bin"), path.join(into, "big", "data.bin")]).exitCode).toBe(0);
});

test("an archive format other than tar is a usage error", () => {
  const { work, repo } = setup("tar-bad");
  const r = cli(work, repo, ["dump", "--archive", "zip", "LAST", "src"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("invalid value 'zip' for '--archive': possible values are tar");
});
