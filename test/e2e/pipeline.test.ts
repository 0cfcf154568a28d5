/**
 * The worker pipeline seen from the binary: a worker that fails or dies fails the backup cleanly
 * (no snapshot, no index pointing at missing data, and the next run succeeds); any number of
 * workers gives the same snapshot; a file far larger than the ring goes through, and so do scan
 * records far larger than it.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { pinTimes, text } from "../fixtures/src-tree.ts";
import { catJson, cleanUpAfterThisFile, cli, errorReport, fails, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const MiB = 1 << 20;

/** A tree with enough data for several stage-A and compression jobs per worker. */
function data(label: string): string {
  const dir = tempDir(label);
  fs.writeFileSync(path.join(dir, "random.bin"), randomBytes(9, 24 * MiB));
  fs.mkdirSync(path.join(dir, "src"));
  for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(dir, "src", `f${i}.c`), text(i, 2_000 + ((i * 7919) % 60_000)));
  return dir;
}

interface IndexJson {
  packs: Record<string, { id: string }[]>;
}

for (const fault of ["compress:2:throw", "cut-hash:3:throw", "hash:1:throw", "compress:1:die", "cut-hash:1:die", "hash:2:die"]) {
  test(`a worker fault (${fault}) fails the backup clearly and leaves the repository consistent`, () => {
    const { work, repo } = setup("fault");
    const dir = data("fault-data");
    // Two workers however many cores CI has: with one, a large file's hashing isn't a job of its own.
    const r = fails(cli(work, repo, ["backup", dir], { env: { BACKPAK_FAULT: fault, BACKPAK_WORKERS: "2" } }));
    expect(errorReport(r)).toMatch(/injected (fault|worker death)|kernel worker \d died/);
    expect(objectIds(repo, "snapshots")).toEqual([]);
    // Whatever was stored is consistent: every indexed pack exists and reads back.
    ok(cli(work, repo, ["check", "--read-packs"]));
    // The next run (resuming from the working directory if it can) completes the backup.
    ok(cli(work, repo, ["backup", dir]));
    ok(cli(work, repo, ["check", "--read-packs"]));
    const out = tempDir("fault-out");
    ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
    expect(Buffer.from(fs.readFileSync(path.join(out, "random.bin"))).equals(Buffer.from(fs.readFileSync(path.join(dir, "random.bin"))))).toBe(true);
  });
}

test("one worker and four workers make the same snapshot ID and the same blobs", () => {
  const dir = data("workers-data");
  const results = [1, 4].map((workers) => {
    // Reading the tree could move atimes, which trees record: pin them so both runs see the same tree.
    pinTimes(dir);
    const { work, repo } = setup(`workers-${workers}`);
    const r = ok(cli(work, repo, ["backup", "--author", "me", "--time", "2024-01-02T03:04:05Z", dir], { env: { BACKPAK_WORKERS: String(workers) } }));
    const blobs = objectIds(repo, "indexes")
      .flatMap((i) => Object.values((catJson(work, repo, ["index", i]) as IndexJson).packs).flat())
      .map((e) => e.id)
      .sort();
    return { line: r.stdout.split("\n").find((l) => l.startsWith("Snaphsot")), snapshots: objectIds(repo, "snapshots"), blobs };
  });
  expect(results[0]!.snapshots.length).toBe(1);
  expect(results[1]).toEqual(results[0]!);
});

test("a file many times the ring's size backs up and restores exactly through a 16 MiB ring", () => {
  const { work, repo } = setup("bigfile");
  const dir = tempDir("bigfile-data");
  const big = path.join(dir, "big.bin");
  const fd = fs.openSync(big, "w");
  for (let i = 0; i < 12; i++) fs.writeSync(fd, i % 3 === 0 ? randomBytes(100 + i, 8 * MiB) : new TextEncoder().encode(text(i, 8 * MiB)));
  fs.closeSync(fd);
  const env = { BACKPAK_RING_MIB: "16" };
  ok(cli(work, repo, ["backup", dir], { env }));
  ok(cli(work, repo, ["check", "--read-packs"], { env }));
  const out = tempDir("bigfile-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"], { env }));
  expect(Buffer.from(fs.readFileSync(path.join(out, "big.bin"))).equals(Buffer.from(fs.readFileSync(big)))).toBe(true);
});

test("a scan with more records than its 16 MiB ring holds keeps every entry", () => {
  const { work, repo } = setup("bigscan");
  const dir = tempDir("bigscan-data");
  // 4 directories of 16,000 empty files with 240-character names: about 19 MB of scan records.
  const names: string[] = [];
  for (let d = 0; d < 4; d++) {
    fs.mkdirSync(path.join(dir, `d${d}`));
    for (let i = 0; i < 16_000; i++) {
      const name = `d${d}/${String(i).padStart(6, "0")}${"n".repeat(234)}`;
      fs.writeFileSync(path.join(dir, name), "");
      names.push(name);
    }
  }
  fs.writeFileSync(path.join(dir, "last.txt"), "the end");
  ok(cli(work, repo, ["backup", dir], { env: { BACKPAK_RING_MIB: "16" } }));
  const listed = ok(cli(work, repo, ["ls", "LAST"])).stdout.split("\n").filter((l) => l !== "");
  const base = path.basename(dir);
  expect(listed.sort()).toEqual([`${base}/`, `${base}/last.txt`, ...[0, 1, 2, 3].map((d) => `${base}/d${d}/`), ...names.map((n) => `${base}/${n}`)].sort());
});
