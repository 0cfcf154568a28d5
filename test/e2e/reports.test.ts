/** `snapshots` with --sizes, --file-sizes, --stat, -m and -r, and `usage`: the numbers and lines people script against. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pinTimes } from "../fixtures/src-tree.ts";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, lines, listedSnapshots, ok, setup } from "./harness.ts";

cleanUpAfterThisFile();

/** Two snapshots of `data/`: a (100 KB), b (30 KB) and empty/; then c (50 KB) and a2, a copy of a, are added. */
function twoSnapshots(label: string): { work: string; repo: string; data: string } {
  const { work, repo } = setup(label);
  const data = path.join(work, "data");
  fs.mkdirSync(data);
  // Under FastCDC's minimum chunk size, so each file is one chunk.
  fs.writeFileSync(path.join(data, "a"), randomBytes(1, 100_000));
  fs.writeFileSync(path.join(data, "b"), randomBytes(2, 30_000));
  // An empty directory's tree is never packed; sizes count it as its 1 CBOR byte (backpak failed here).
  fs.mkdirSync(path.join(data, "empty"));
  pinTimes(data);
  ok(cli(work, repo, ["backup", data]));
  fs.writeFileSync(path.join(data, "c"), randomBytes(3, 50_000));
  fs.copyFileSync(path.join(data, "a"), path.join(data, "a2"));
  pinTimes(data);
  fs.utimesSync(data, 4_102_444_800, 1_600_000_000);
  ok(cli(work, repo, ["backup", data]));
  return { work, repo, data };
}

/** stdout split into per-snapshot blocks at each `snapshot <id>` line. */
function blocks(stdout: string): string[][] {
  const out: string[][] = [];
  for (const l of stdout.split("\n")) {
    if (l.startsWith("snapshot ")) out.push([]);
    out.at(-1)?.push(l);
  }
  return out;
}

test("snapshots --sizes counts each blob as new where it first appears", () => {
  const { work, repo } = twoSnapshots("sizes");
  const [first, second] = blocks(ok(cli(work, repo, ["snapshots", "--sizes"])).stdout);
  expect(first![1]).toMatch(/^Sizes: 13\d KB total \(130 KB files, \d+ B metadata \/ 13\d KB new, 0 B reused\)$/);
  // a and b are reused, as is a2 (the same bytes as a); c and the changed tree are new.
  expect(second![1]).toMatch(/^Sizes: 28\d KB total \(280 KB files, \d+ B metadata \/ 5\d KB new, 230 KB reused\)$/);
  expect(second![2]).toMatch(/^Author: /);
});

test("snapshots --file-sizes lists the files that brought new data, most first", () => {
  const { work, repo } = twoSnapshots("file-sizes");
  const [first, second] = blocks(ok(cli(work, repo, ["snapshots", "--file-sizes"])).stdout);
  // After each snapshot's block (which ends in a blank line), its files and another blank line.
  expect(first!.slice(-4)).toEqual(["", " data/a | 100 KB new, 0 B reused", " data/b | 30 KB new, 0 B reused", ""]);
  expect(second!.slice(-4)).toEqual(["", " data/c | 50 KB new, 0 B reused", "", ""]);
});

test("snapshots --stat shows each snapshot's changes from the one before; -m adds metadata; -r reverses", () => {
  const { work, repo } = twoSnapshots("stat");
  const ids = listedSnapshots(work, repo);
  const [first, second] = blocks(ok(cli(work, repo, ["snapshots", "--stat"])).stdout);
  const changes = (block: string[]): string[] => block.filter((l) => /^ [-+CXTPOA] /.test(l));
  expect(changes(first!)).toEqual([" + data/", " + data/a", " + data/b", " + data/empty/"]);
  expect(changes(second!)).toEqual([" + data/a2", " + data/c"]);

  const [, withMeta] = blocks(ok(cli(work, repo, ["snapshots", "--stat", "-m"])).stdout);
  expect(changes(withMeta!)).toEqual([" + data/a2", " + data/c", " T data/"]);

  const [, sized] = blocks(ok(cli(work, repo, ["snapshots", "--stat", "--file-sizes"])).stdout);
  expect(changes(sized!)).toEqual([" + data/a2 | 0 B new, 100 KB reused", " + data/c  | 50 KB new, 0 B reused"]);

  const reversed = blocks(ok(cli(work, repo, ["snapshots", "-r"])).stdout).map((b) => b[0]!.split(" ")[1]);
  expect(reversed).toEqual([...ids].reverse());
  const one = blocks(ok(cli(work, repo, ["snapshots", "--sizes", "LAST"])).stdout);
  expect(one.length).toBe(1);
  // Sizes still count against every snapshot before it.
  expect(one[0]![1]).toContain("230 KB reused");
});

test("usage sums what snapshots hold and what the repository stores", () => {
  const { work, repo } = twoSnapshots("usage");
  const r = ok(cli(work, repo, ["usage"]));
  // The empty directory's byte isn't in any pack, and that is no inconsistency (this warned "1 B more than packs").
  expect(r.stderr).not.toContain("more than packs");
  const all = lines(r.stdout);
  // At -vvv, progress lines ("Opening repository…") come first.
  const out = all.slice(all.findIndex((l) => / snapshots, from /.test(l)));
  expect(out[0]).toMatch(/^2 snapshots, from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)? to \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/);
  expect(out[1]).toMatch(/^18\d KB unique data$/);
  expect(out[2]).toMatch(/^23\d KB reused \(deduplicated\)$/);
  expect(out[3]).toBe("2 indexes reference 4 packs");
  expect(out[4]).toBe("Filesystem usage after zstd compression:");
  const bytesOf = (folder: string): number =>
    fs.readdirSync(path.join(repo, folder)).reduce((n, f) => n + fs.statSync(path.join(repo, folder, f)).size, 0);
  const kb = (n: number): string => `${Math.round(n / 1000)} KB`;
  expect(out[7]).toBe(`packs:     ${kb(bytesOf("packs"))}`);
  expect(out[8]).toMatch(/^total: {5}\d+ KB$/);

  // Forgetting the first leaves its data unused until a prune.
  ok(cli(work, repo, ["forget", listedSnapshots(work, repo)[0]!]));
  const forgotten = ok(cli(work, repo, ["usage"]));
  expect(forgotten.stderr).not.toContain("more than packs");
  const after = lines(forgotten.stdout);
  expect(after.join("\n")).toMatch(/reference 4 packs, including \d+ B unused data\.\nConsider running `backpak prune`\./);
});
