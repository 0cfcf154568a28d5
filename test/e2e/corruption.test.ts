/** Damaged packs, indexes and snapshots are caught by `check --read-packs` and by commands that read them, naming the object. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { pinTimes, text } from "../fixtures/src-tree.ts";
import { catJson, cleanUpAfterThisFile, cli, errorReport, fails, listedSnapshots, objectIds, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

interface IndexJson {
  packs: Record<string, { type: "chunk" | "tree"; length: number; id: string }[]>;
}

/** A backed-up repository: one chunk pack, one tree pack, one index, one snapshot. Times are pinned, so a later backup repeats the trees of what is unchanged. */
function backedUp(label: string) {
  const { work, repo } = setup(label);
  const data = tempDir(`${label}-data`);
  fs.mkdirSync(path.join(data, "sub"));
  fs.writeFileSync(path.join(data, "random.bin"), randomBytes(3, 3_000_000));
  fs.writeFileSync(path.join(data, "sub", "notes.txt"), text(4, 5_000));
  pinTimes(data);
  ok(cli(work, repo, ["backup", data]));
  const [index] = objectIds(repo, "indexes");
  const packs = (catJson(work, repo, ["index", index!]) as IndexJson).packs;
  const packOf = (type: "chunk" | "tree"): string => Object.keys(packs).find((p) => packs[p]!.every((e) => e.type === type))!;
  const [snapshot] = objectIds(repo, "snapshots");
  expect(Object.keys(packs).length).toBe(2);
  return { work, repo, data, index: index!, snapshot: snapshot!, chunkPack: packOf("chunk"), treePack: packOf("tree") };
}

const packFile = (repo: string, id: string): string => path.join(repo, "packs", `${id}.pack`);

function truncate(file: string, by: number): void {
  fs.truncateSync(file, fs.statSync(file).size - by);
}

function flipMiddleByte(file: string): void {
  const bytes = fs.readFileSync(file);
  const mid = Math.floor(bytes.length / 2);
  bytes[mid] = bytes[mid]! ^ 0xff;
  fs.writeFileSync(file, bytes);
}

const damages: readonly (readonly [string, (file: string) => void])[] = [
  ["truncated by 10 bytes", (f) => truncate(f, 10)],
  ["with a byte flipped in the middle", flipMiddleByte],
];

for (const [how, damage] of damages) {
  test(`a chunk pack ${how}: check --read-packs and restore fail, naming the pack`, () => {
    const { work, repo, chunkPack } = backedUp("chunkpack");
    damage(packFile(repo, chunkPack));
    const check = fails(cli(work, repo, ["check", "--read-packs"]));
    expect(errorReport(check)).toContain(chunkPack);
    const restore = fails(cli(work, repo, ["restore", "--output", tempDir("chunkpack-out"), "LAST"]));
    expect(errorReport(restore)).toContain(chunkPack);
  });

  test(`a tree pack ${how}: check --read-packs and ls fail, naming the pack`, () => {
    const { work, repo, treePack } = backedUp("treepack");
    damage(packFile(repo, treePack));
    const check = fails(cli(work, repo, ["check", "--read-packs"]));
    expect(errorReport(check)).toContain(treePack);
    const ls = fails(cli(work, repo, ["ls", "LAST"]));
    expect(errorReport(ls)).toContain(treePack);
    const restore = fails(cli(work, repo, ["restore", "--output", tempDir("treepack-out"), "LAST"]));
    expect(errorReport(restore)).toContain(treePack);
  });
}

test("an index with a byte flipped: check and ls fail, naming the index", () => {
  const { work, repo, index } = backedUp("index");
  flipMiddleByte(path.join(repo, "indexes", `${index}.index`));
  expect(errorReport(fails(cli(work, repo, ["check", "--read-packs"])))).toContain(index);
  expect(errorReport(fails(cli(work, repo, ["ls", "LAST"])))).toContain(index);
  expect(errorReport(fails(cli(work, repo, ["restore", "--output", tempDir("index-out"), "LAST"])))).toContain(index);
});

test("a snapshot with a byte flipped: check, ls and restore fail, and snapshots warns, naming the snapshot", () => {
  const { work, repo, snapshot } = backedUp("snapshot");
  flipMiddleByte(path.join(repo, "snapshots", `${snapshot}.snapshot`));
  expect(errorReport(fails(cli(work, repo, ["check", "--read-packs"])))).toContain(snapshot);
  expect(errorReport(fails(cli(work, repo, ["ls", "LAST"])))).toContain(snapshot);
  expect(ok(cli(work, repo, ["snapshots"])).stderr).toContain(`WARN Skipping snapshots/${snapshot}.snapshot`);
  expect(errorReport(fails(cli(work, repo, ["restore", "--output", tempDir("snapshot-out"), "LAST"])))).toContain(snapshot);
});

test("an undamaged repository passes check --read-packs", () => {
  const { work, repo } = backedUp("intact");
  ok(cli(work, repo, ["check", "--read-packs"]));
  ok(cli(work, repo, ["restore", "--output", tempDir("intact-out"), "LAST"]));
});

test("a restore that fails on a damaged pack leaves the file on disk as it was, and no temporary file", () => {
  const { work, repo, data, chunkPack } = backedUp("keep");
  const file = path.join(data, "random.bin");
  fs.writeFileSync(file, "edited since the backup");
  flipMiddleByte(packFile(repo, chunkPack));
  expect(errorReport(fails(cli(work, repo, ["restore", "LAST"])))).toContain(chunkPack);
  expect(fs.readFileSync(file, "utf8")).toBe("edited since the backup");
  expect(fs.readdirSync(data).sort()).toEqual(["random.bin", "sub"]);
});

test("a damaged tree pack: check names the directory each snapshot loses, not only the pack", () => {
  const { work, repo, data, snapshot: first, treePack } = backedUp("treepath");
  // The second snapshot's root tree is packed anew; its unchanged sub/ is the first pack's tree.
  fs.writeFileSync(path.join(data, "added.txt"), "a new file, so the top directory's tree changes\n");
  pinTimes(data);
  ok(cli(work, repo, ["backup", data]));
  const second = listedSnapshots(work, repo).find((s) => s !== first)!;
  // The frame's zstd magic (just past the pack's 9-byte magic), so no tree of the frame can be read,
  // whichever snapshot check reads first (a flipped literal would spoil one tree and spare the rest).
  const file = packFile(repo, treePack);
  const bytes = fs.readFileSync(file);
  bytes[9] = bytes[9]! ^ 0xff;
  fs.writeFileSync(file, bytes);
  for (const args of [["check"], ["check", "--read-packs"]]) {
    const report = errorReport(fails(cli(work, repo, args)));
    expect(report).toContain(`Snapshot ${first}: root tree `);
    expect(report).toMatch(new RegExp(`Snapshot ${second}: dir ${path.basename(data)}/sub: tree [0-9a-z]+ can't be read, nor anything beneath it: Couldn't read pack ${treePack}`));
  }
});
