/** Merging index files into the master index: superseded ones left out, the first index (by ID) answering for a blob two hold, damaged ones reported and skipped. */
import { expect, test } from "bun:test";
import { idFromDigest, type BlobId, type IndexId, type PackId } from "../../src/format/id.ts";
import type { IndexContents } from "../../src/format/index-file.ts";
import type { Manifest } from "../../src/format/manifest.ts";
import { setLogSink } from "../../src/lib/log.ts";
import { buildIndexFile } from "../../src/repo/index-file.ts";
import { mergeIndexes, type IndexFile } from "../../src/repo/master-index.ts";
import { PackManifests } from "../../src/repo/pack-manifests.ts";
import { randomBytes } from "../helpers/random.ts";

const blobId = (seed: number): BlobId => idFromDigest<"blob">(randomBytes(seed, 28));
const packId = (seed: number): PackId => idFromDigest<"pack">(randomBytes(1000 + seed, 28));
const chunks = (...seeds: number[]): Manifest => seeds.map((s) => ({ type: "chunk", length: s, id: blobId(s) }));
const index = (packs: [PackId, Manifest][], supersedes: IndexId[] = []): IndexFile & { contents: IndexContents } => {
  const contents = { packs: new Map(packs), supersedes: new Set(supersedes) };
  return { ...buildIndexFile(contents), contents };
};

test("an index superseded by another is left out, and a blob in two packs is found in the pack of the lower index ID", () => {
  const a = index([[packId(1), chunks(1, 2)]]);
  const b = index([[packId(2), chunks(2, 3)]]);
  const old = index([[packId(3), chunks(4)]]);
  const newer = index([[packId(4), chunks(5)]], [old.id]);
  const [first, second] = a.id < b.id ? [a, b] : [b, a];
  const debug: string[] = [];
  setLogSink((level, message) => void (level === "debug" && debug.push(message)), "debug");
  let merged: ReturnType<typeof mergeIndexes>;
  try {
    merged = mergeIndexes([newer, second, old, first]);
  } finally {
    setLogSink(() => {}, "warn");
  }
  const { blobs, superseded } = merged;
  const [firstPack, secondPack] = [[...first.contents.packs.keys()][0]!, [...second.contents.packs.keys()][0]!];
  expect(debug).toContain(`Duplicate blob ${blobId(2)} in pack ${secondPack}, previously seen in pack ${firstPack}`);
  expect(debug).toContain(`Index ${old.id} is superseded; skipping it`);
  expect([...superseded]).toEqual([old.id]);
  expect(blobs.has(blobId(4))).toBe(false);
  expect(blobs.get(blobId(5))?.pack).toBe(packId(4));
  expect(blobs.get(blobId(2))?.pack).toBe(firstPack);
  expect(blobs.packsOf(blobId(2)).sort()).toEqual([packId(1), packId(2)].sort());
  expect(blobs.size).toBe(4);
  expect(blobs.duplicates).toBe(1);
  expect(new Map(new PackManifests(blobs))).toEqual(new Map([...first.contents.packs, ...second.contents.packs, ...newer.contents.packs]));
});

test("a damaged index is reported and left out when asked, and fails the merge otherwise", () => {
  const good = index([[packId(1), chunks(1)]]);
  const bad = index([[packId(2), chunks(2)]]);
  const damaged = { id: bad.id, file: bad.file.slice(0, bad.file.length - 3) };
  const reported: string[] = [];
  const { blobs } = mergeIndexes([good, damaged], (err) => reported.push(err.message));
  expect(reported).toEqual([expect.stringContaining(`Index ${bad.id} can't be used: indexes/${bad.id}.index is damaged`)]);
  expect(blobs.has(blobId(1))).toBe(true);
  expect(blobs.has(blobId(2))).toBe(false);
  expect(() => mergeIndexes([good, damaged])).toThrow(`Index ${bad.id} can't be used`);
});
