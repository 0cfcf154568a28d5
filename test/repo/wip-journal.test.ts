/**
 * The WIP journal: each pack costs one record, whatever came before; a record cut short by a kill
 * (or damaged) ends it, and a resumed run goes on from the records before it, still dropping a
 * pack the repository lists at another size than recorded.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { MemoryBackend } from "../../src/backend/memory.ts";
import type { BlobId, IndexId, PackId } from "../../src/format/id.ts";
import { encodeManifest, type ManifestEntry } from "../../src/format/manifest.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { Indexer } from "../../src/repo/indexer.ts";
import { packKey } from "../../src/repo/keys.ts";
import { findResumable } from "../../src/repo/resume.ts";
import { readJournal, WIP_JOURNAL } from "../../src/repo/wip-journal.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

const manifest = (seed: string, n: number): ManifestEntry[] => Array.from({ length: n }, (_, i) => ({ type: "chunk", length: 100 + i, id: hashId<"blob">(`${seed}/${i}`) as BlobId }));
const packId = (p: number): PackId => hashId<"pack">(`pack ${p}`) as PackId;

/** A resumable Indexer in a fresh directory that has listed packs 0..n-1 (pack p of 1000 + p bytes, with 50 + p blobs). */
function journaled(label: string, n: number): { dir: string; indexer: Indexer } {
  const dir = tempDir(label);
  const indexer = new Indexer(dir, { packs: new Map(), supersedes: new Set() }, true);
  for (let p = 0; p < n; p++) indexer.addPack(packId(p), encodeManifest(manifest(`m${p}`, 50 + p)), 1000 + p);
  return { dir, indexer };
}

test("each pack appends one record the size of its manifest, however many packs came before", () => {
  const { dir, indexer } = journaled("journal-append", 1);
  const file = path.join(dir, WIP_JOURNAL);
  const growth: number[] = [];
  for (let p = 1; p < 30; p++) {
    const m = encodeManifest(manifest(`g${p}`, 400));
    const before = fs.statSync(file).size;
    indexer.addPack(packId(p), m, 5000);
    growth.push(fs.statSync(file).size - before - m.length);
  }
  // Length, kind, ID, size and checksum: 49 bytes besides the manifest, for the 2nd pack as for the 30th.
  expect(new Set(growth)).toEqual(new Set([49]));
});

test.each([1, 20, 60])("a journal whose last record lost its last %p bytes lists the packs before it, with their sizes", (cut) => {
  const { dir } = journaled("journal-torn", 4);
  const file = path.join(dir, WIP_JOURNAL);
  expect([...readJournal(dir).packs.keys()]).toEqual([0, 1, 2, 3].map(packId));
  fs.truncateSync(file, fs.statSync(file).size - cut);
  const torn = readJournal(dir);
  expect([...torn.packs.keys()]).toEqual([0, 1, 2].map(packId));
  expect(torn.packs.get(packId(2))).toEqual(manifest("m2", 52));
  expect(torn.sizes).toEqual(new Map([0, 1, 2].map((p) => [packId(p), 1000 + p])));
});

test("a damaged record ends the journal: the packs from it on are made again", () => {
  const { dir } = journaled("journal-damaged", 3);
  const file = path.join(dir, WIP_JOURNAL);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 20]! ^= 0xff; // inside the last record's manifest
  fs.writeFileSync(file, bytes);
  expect([...readJournal(dir).packs.keys()]).toEqual([0, 1].map(packId));
});

test("dropped packs and superseded indexes are journaled too; a fresh start replaces what was there", () => {
  const dir = tempDir("journal-drop");
  const old = hashId<"index">("old") as IndexId;
  const start = new Map([[packId(9), manifest("s", 3)]]);
  const indexer = new Indexer(dir, { packs: start, supersedes: new Set([old]) }, true, new Map([[packId(9), 77]]));
  indexer.addPack(packId(0), encodeManifest(manifest("a", 2)), 10);
  indexer.addPack(packId(1), encodeManifest(manifest("b", 2)), 11);
  indexer.dropPacks([packId(0)]);
  const read = readJournal(dir);
  expect(read.supersedes).toEqual(new Set([old]));
  expect(read.packs).toEqual(new Map([[packId(9), manifest("s", 3)], [packId(1), manifest("b", 2)]]));
  expect(read.sizes).toEqual(new Map([[packId(9), 77], [packId(1), 11]]));
  new Indexer(dir, { packs: new Map(), supersedes: new Set() }, true);
  expect(fs.existsSync(path.join(dir, WIP_JOURNAL))).toBe(false);
});

test("a run resumed from a torn journal keeps the packs before the torn record, dropping one stored short", async () => {
  const { dir } = journaled("journal-resume", 4);
  const file = path.join(dir, WIP_JOURNAL);
  fs.truncateSync(file, fs.statSync(file).size - 5);
  const backend = new MemoryBackend();
  // Packs 0 and 2 stored whole, pack 1 short; pack 3's record was torn, so it isn't listed at all.
  for (const [p, size] of [[0, 1000], [1, 500], [2, 1002], [3, 1003]] as const) backend.objects.set(packKey(packId(p)), new Uint8Array(size));
  const r = (await findResumable(dir, backend, { replacesIndexes: false, exactSizes: true }))!;
  expect([...r.wip.packs.keys()]).toEqual([0, 2].map(packId));
  expect(r.storedShort).toEqual([packId(1)]);
});

test("a journal that can't be made is named once in the error", () => {
  const dir = path.join(tempDir("journal-fail"), "gone");
  const start = { packs: new Map([[packId(0), manifest("j", 3)]]), supersedes: new Set<IndexId>() };
  let err: Error | undefined;
  try {
    new Indexer(dir, start, true);
  } catch (e) {
    err = e as Error;
  }
  expect(err?.message).toBe(`Couldn't write ${dir}/${WIP_JOURNAL} in the scratch directory`);
  // Its cause is the system's error, not the same message wrapped again.
  expect((err?.cause as NodeJS.ErrnoException | undefined)?.code).toBe("ENOENT");
});
