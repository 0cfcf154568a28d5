/** Merging index files into the master index: superseded ones left out, the first index (by ID) answering for a blob two hold, damaged ones reported and skipped. */
import { expect, test } from "bun:test";
import { idFromDigest, type BlobId, type IndexId, type PackId } from "../../src/format/id.ts";
import type { IndexContents } from "../../src/format/index-file.ts";
import type { Manifest } from "../../src/format/manifest.ts";
import { setLogSink } from "../../src/lib/log.ts";
import { buildIndexFile, visitIndexFile } from "../../src/repo/index-file.ts";
import { INDEX_MAGIC, magicBytes } from "../../src/format/magic.ts";
import { concatBytes } from "../../src/lib/bytes.ts";
import { causeChain } from "../../src/lib/errors.ts";
import zlib from "node:zlib";
import { loadMasterIndex, mergeIndexes } from "../../src/repo/master-index.ts";
import { MemoryBackend } from "../../src/backend/memory.ts";
import { indexKey } from "../../src/repo/keys.ts";
import { PackManifests } from "../../src/repo/pack-manifests.ts";
import { randomBytes } from "../helpers/random.ts";

/** Reads the files, counting every read and the most that were asked for but not yet taken. */
const reader = (files: readonly IndexFile[]) => {
  const byId = new Map(files.map((f) => [f.id, f.file]));
  const seen = { reads: 0, mostAhead: 0, ahead: 0 };
  const read = async (id: IndexId): Promise<Uint8Array> => {
    seen.reads++;
    seen.mostAhead = Math.max(seen.mostAhead, ++seen.ahead);
    await Promise.resolve();
    seen.ahead--;
    const file = byId.get(id);
    if (!file) throw new Error(`no index ${id}`);
    return file;
  };
  return { ids: files.map((f) => f.id), read, seen };
};
const merge = (files: readonly IndexFile[], onDamaged?: (err: Error) => void) => {
  const { ids, read } = reader(files);
  return mergeIndexes(ids, read, onDamaged);
};
/** zstd of `data` in a frame that doesn't state its size (as a streaming compressor writes it). */
const zstdStreamed = (data: Uint8Array): Uint8Array => {
  const z = zlib.zstdCompressSync(data, { params: { [zlib.constants.ZSTD_c_contentSizeFlag]: 0 } });
  return new Uint8Array(z.buffer, z.byteOffset, z.length);
};
const blobId = (seed: number): BlobId => idFromDigest<"blob">(randomBytes(seed, 28));
const packId = (seed: number): PackId => idFromDigest<"pack">(randomBytes(1000 + seed, 28));
const chunks = (...seeds: number[]): Manifest => seeds.map((s) => ({ type: "chunk", length: s, id: blobId(s) }));
interface IndexFile {
  readonly id: IndexId;
  readonly file: Uint8Array;
}
const index = (packs: [PackId, Manifest][], supersedes: IndexId[] = []): IndexFile & { contents: IndexContents } => {
  const contents = { packs: new Map(packs), supersedes: new Set(supersedes) };
  return { ...buildIndexFile(contents), contents };
};

test("an index superseded by another is left out, and a blob in two packs is found in the pack of the lower index ID", async () => {
  const a = index([[packId(1), chunks(1, 2)]]);
  const b = index([[packId(2), chunks(2, 3)]]);
  const old = index([[packId(3), chunks(4)]]);
  const newer = index([[packId(4), chunks(5)]], [old.id]);
  const [first, second] = a.id < b.id ? [a, b] : [b, a];
  const debug: string[] = [];
  setLogSink((level, message) => void (level === "debug" && debug.push(message)), "debug");
  let merged: Awaited<ReturnType<typeof mergeIndexes>>;
  try {
    merged = await merge([newer, second, old, first]);
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

test("a damaged index is reported and left out when asked, and fails the merge otherwise", async () => {
  const good = index([[packId(1), chunks(1)]]);
  const bad = index([[packId(2), chunks(2)]]);
  const damaged = { id: bad.id, file: bad.file.slice(0, bad.file.length - 3) };
  const reported: string[] = [];
  const { blobs } = await merge([good, damaged], (err) => reported.push(err.message));
  expect(reported).toEqual([expect.stringContaining(`Index ${bad.id} can't be used: indexes/${bad.id}.index is damaged`)]);
  expect(blobs.has(blobId(1))).toBe(true);
  expect(blobs.has(blobId(2))).toBe(false);
  await expect(merge([good, damaged])).rejects.toThrow(`Index ${bad.id} can't be used`);
});

test("each index is read once, a few at a time, when none is superseded", async () => {
  const files = Array.from({ length: 20 }, (_, i) => index([[packId(i), chunks(i, i + 1)]]));
  const { ids, read, seen } = reader(files);
  const { blobs } = await mergeIndexes(ids, read);
  expect(seen.reads).toBe(20);
  expect(seen.mostAhead).toBeLessThanOrEqual(4);
  expect(blobs.size).toBe(21);
  expect(blobs.duplicates).toBe(19);
});

test("a superseded index is dropped by merging the others again, reading each of them a second time", async () => {
  const old = index([[packId(1), chunks(1, 2)]]);
  const others = Array.from({ length: 5 }, (_, i) => index([[packId(10 + i), chunks(10 + i, 2)]], i === 0 ? [old.id] : []));
  const { ids, read, seen } = reader([old, ...others]);
  const { blobs, superseded } = await mergeIndexes(ids, read);
  expect([...superseded]).toEqual([old.id]);
  expect(blobs.has(blobId(1))).toBe(false);
  expect(blobs.findPack(packId(1))).toBe(-1);
  expect(blobs.packCount).toBe(5);
  expect(blobs.duplicates).toBe(4);
  expect(seen.reads).toBe(6 + 5);
  expect(seen.mostAhead).toBeLessThanOrEqual(4);
});

test("an index that can't be read is reported and left out when asked, and fails the merge otherwise", async () => {
  const good = index([[packId(1), chunks(1)]]);
  const missing = index([[packId(2), chunks(2)]]);
  const { read } = reader([good]);
  const reported: string[] = [];
  const { blobs } = await mergeIndexes([good.id, missing.id], read, (err) => reported.push(err.message));
  expect(reported).toEqual([`no index ${missing.id}`]);
  expect(blobs.has(blobId(1))).toBe(true);
  await expect(mergeIndexes([good.id, missing.id], read)).rejects.toThrow(`no index ${missing.id}`);
});

test("loading the master index reads the index files a few at a time, not all at once", async () => {
  const files = Array.from({ length: 10 }, (_, i) => index([[packId(i), chunks(i)]]));
  const backend = new MemoryBackend();
  for (const f of files) backend.objects.set(indexKey(f.id), f.file);
  let ahead = 0;
  let mostAhead = 0;
  const read = backend.read.bind(backend);
  backend.read = async (key) => {
    mostAhead = Math.max(mostAhead, ++ahead);
    try {
      return await read(key);
    } finally {
      ahead--;
    }
  };
  const master = await loadMasterIndex(backend);
  expect(master.blobs.size).toBe(10);
  expect(mostAhead).toBeLessThanOrEqual(4);
});

/** What `visitIndexFile` hands on for `file`, as lines; streamed when `oneShotUpTo` is 0. */
async function visited(id: IndexId, file: Uint8Array, oneShotUpTo?: number): Promise<string[]> {
  const seen: string[] = [];
  await visitIndexFile(
    id,
    file,
    {
      supersedes: (s) => void seen.push(`supersedes ${s}`),
      pack: (data, at) => seen.push(`pack ${idFromDigest(data, at)}`) > 0,
      blob: (type, length, data, at) => void seen.push(`${type} ${length} ${idFromDigest(data, at)}`),
    },
    oneShotUpTo,
  );
  return seen;
}

test("a big index decompressed as a stream hands on what it does decompressed whole", async () => {
  const big = index(
    Array.from({ length: 40 }, (_, p) => [packId(p), chunks(...Array.from({ length: 500 }, (_, i) => p * 500 + i + 1))] as [PackId, Manifest]),
    [index([]).id],
  );
  const whole = await visited(big.id, big.file);
  expect(whole.length).toBe(1 + 40 + 40 * 500);
  expect(await visited(big.id, big.file, 0)).toEqual(whole);
});

test("a streamed index that is damaged, or expands too far, is an error naming it", async () => {
  const a = index([[packId(1), chunks(...Array.from({ length: 3000 }, (_, i) => i + 1))]]);
  const b = index([[packId(1), chunks(...Array.from({ length: 3000 }, (_, i) => i + 2))]]);
  // b's bytes under a's name: they decode, but hash to b's ID
  await expect(visited(a.id, b.file, 0)).rejects.toThrow(`Index ${a.id} can't be used: indexes/${a.id}.index is damaged: its contents now hash to ${b.id}`);
  const cut = a.file.slice(0, a.file.length - 100);
  await expect(visited(a.id, cut, 0)).rejects.toThrow(`Index ${a.id} can't be used: indexes/${a.id}.index is damaged`);
  const zeros = new Uint8Array(64 << 20);
  const bomb = concatBytes([magicBytes(INDEX_MAGIC), zstdStreamed(zeros)]);
  const failure = await visited(a.id, bomb, 0).then(
    () => "",
    (err: unknown) => causeChain(err).join(": "),
  );
  expect(failure).toContain(`Index ${a.id} can't be used: indexes/${a.id}.index is damaged: index ${a.id} decompresses to more than`);
});

test("what a damaged index supersedes is not left out", async () => {
  const old = index([[packId(1), chunks(1)]]);
  const newer = index([[packId(2), chunks(2)]], [old.id]);
  const other = index([[packId(3), chunks(3)]], [old.id]);
  // `other`'s bytes under `newer`'s name: they decode, naming `old` as superseded, but don't hash to newer's ID
  const reported: string[] = [];
  const { blobs, superseded } = await merge([old, { id: newer.id, file: other.file }], (err) => reported.push(err.message));
  expect(reported).toEqual([expect.stringContaining(`Index ${newer.id} can't be used`)]);
  expect([...superseded]).toEqual([]);
  expect(blobs.has(blobId(1))).toBe(true);
  expect(blobs.has(blobId(3))).toBe(false);
});
