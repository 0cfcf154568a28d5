/**
 * A restore written in many small batches (BACKPAK_RESTORE_BATCH_FILES) while the walk plans the
 * next: a tree spread over several packs comes back byte for byte, with every file's and
 * directory's mode and mtime, both afresh and over a changed copy of itself; a bad batch size is
 * refused before anything is written.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, entriesIn, fails, ok, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** Every entry's mode and mtime (ns), so a restore can be compared with its source. */
function metadataOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of entriesIn(dir)) {
    const st = fs.lstatSync(path.join(dir, rel), { bigint: true });
    out[rel] = `${(st.mode & 0o7777n).toString(8)} ${st.mtimeNs}`;
  }
  return out;
}

/**
 * 4 directories of 3 subdirectories of 8 files each (incompressible, 100–200 KB, one of 20 KB
 * repeated in every directory), with their own modes and mtimes set deepest first: ~17 MB in 1 MiB
 * packs, so each directory's files lie in frames of their own.
 */
function writeTree(src: string): void {
  const same = randomBytes(7, 20_000);
  let seed = 1;
  for (let d = 0; d < 4; d++) {
    for (let s = 0; s < 3; s++) {
      const dir = path.join(src, `d${d}`, `s${s}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 8; f++) {
        const file = path.join(dir, `f${f}`);
        fs.writeFileSync(file, f === 0 ? same : randomBytes(seed++, 100_000 + ((seed * 7919) % 100_000)));
        fs.chmodSync(file, f % 2 === 0 ? 0o640 : 0o755);
        fs.utimesSync(file, 1_600_000_000 + seed, 1_600_000_000 + seed);
      }
      fs.chmodSync(dir, 0o750);
      fs.utimesSync(dir, 1_500_000_000 + d * 10 + s, 1_500_000_000 + d * 10 + s);
    }
    fs.chmodSync(path.join(src, `d${d}`), 0o711);
    fs.utimesSync(path.join(src, `d${d}`), 1_400_000_000 + d, 1_400_000_000 + d);
  }
}

const batches = (stderr: string): number => Number(/Restored in (\d+) batches/.exec(stderr)?.[1]);

test("a restore in batches of 5 brings back every byte, mode and mtime, afresh and over a changed copy", () => {
  const work = tempDir("batches-work");
  const repo = path.join(work, "repo");
  const src = path.join(work, "src");
  writeTree(src);
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
  ok(cli(work, repo, ["backup", src]));
  const out = path.join(work, "out");
  const env = { BACKPAK_RESTORE_BATCH_FILES: "5" };
  const first = ok(cli(work, repo, ["restore", "--times", "--permissions", "--output", out, "LAST"], { env }));
  expect(contentsOf(out)).toEqual(contentsOf(src));
  expect(metadataOf(out)).toEqual(metadataOf(src));
  // A batch closes at the end of a directory once it holds 5 entries: each directory of 8 files is one.
  expect(batches(first.stderr)).toBeGreaterThanOrEqual(12);
  // The file repeated in every directory lies in a frame the first batches read: most later ones leave it to the late pass.
  expect(Number(/(\d+) files completed by a late pass/.exec(first.stderr)?.[1])).toBeGreaterThanOrEqual(8);

  // Over a changed copy: files rewritten, removed and added, a directory's mode changed.
  fs.writeFileSync(path.join(out, "d0/s0/f1"), "changed");
  fs.writeFileSync(path.join(out, "d3/s2/f7"), randomBytes(99, 30_000));
  fs.rmSync(path.join(out, "d1/s1/f3"));
  fs.rmSync(path.join(out, "d2/s0"), { recursive: true });
  fs.writeFileSync(path.join(out, "d2/extra"), "extra");
  fs.chmodSync(path.join(out, "d1"), 0o700);
  const again = ok(cli(work, repo, ["restore", "--delete", "--times", "--permissions", "--output", out, "LAST"], { env: { BACKPAK_RESTORE_BATCH_FILES: "3" } }));
  expect(again.stdout).toContain(`C ${path.join(out, "d0/s0/f1")}`);
  expect(again.stdout).toContain(`- ${path.join(out, "d2/extra")}`);
  expect(contentsOf(out)).toEqual(contentsOf(src));
  expect(metadataOf(out)).toEqual(metadataOf(src));
  expect(batches(again.stderr)).toBeGreaterThan(1);
});

test("a batch size that isn't a whole number of at least 1 is refused, naming the variable, before anything is written", () => {
  const work = tempDir("batches-bad-work");
  const repo = path.join(work, "repo");
  const src = path.join(work, "src");
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, "a"), "a");
  ok(cli(work, repo, ["init", "filesystem"]));
  ok(cli(work, repo, ["backup", src]));
  const out = path.join(work, "out");
  for (const bad of ["0", "many"]) {
    const r = fails(cli(work, repo, ["restore", "--output", out, "LAST"], { env: { BACKPAK_RESTORE_BATCH_FILES: bad } }));
    expect(r.stderr).toContain(`BACKPAK_RESTORE_BATCH_FILES=${JSON.stringify(bad)}`);
    expect(fs.existsSync(path.join(out, "a"))).toBe(false);
  }
});
