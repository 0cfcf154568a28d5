/** The index reader fed its CBOR in pieces: the same visits however the bytes are cut, and the same errors for damage. */
import { expect, test } from "bun:test";
import { CborWriter } from "../../src/format/cbor.ts";
import { encodeIndex, IndexReader, visitIndex, type IndexVisitor } from "../../src/format/index-file.ts";
import { idFromDigest, idToDigest, type BlobId, type IndexId, type PackId } from "../../src/format/id.ts";
import type { Manifest } from "../../src/format/manifest.ts";
import { randomBytes } from "../helpers/random.ts";

const blobId = (seed: number): BlobId => idFromDigest<"blob">(randomBytes(seed, 28));
const packId = (seed: number): PackId => idFromDigest<"pack">(randomBytes(1000 + seed, 28));
const indexId = (seed: number): IndexId => idFromDigest<"index">(randomBytes(2000 + seed, 28));
const manifest = (...seeds: number[]): Manifest => seeds.map((s) => ({ type: s % 3 === 0 ? "tree" : "chunk", length: s * 1000, id: blobId(s) }));

/** A visitor that writes down what it is handed, skipping the manifests of the packs in `skip`. */
function recorder(skip: ReadonlySet<PackId> = new Set()): { v: IndexVisitor; seen: string[] } {
  const seen: string[] = [];
  const v: IndexVisitor = {
    supersedes: (id) => void seen.push(`supersedes ${id}`),
    pack: (data, at) => {
      const id = idFromDigest<"pack">(data, at);
      seen.push(`pack ${id}`);
      return !skip.has(id);
    },
    blob: (type, length, data, at) => void seen.push(`${type} ${length} ${idFromDigest<"blob">(data, at)}`),
  };
  return { v, seen };
}

/** What the reader hands on when `cbor` is pushed `cut` bytes at a time. */
function inPieces(cbor: Uint8Array, cut: number, skip?: ReadonlySet<PackId>): string[] {
  const { v, seen } = recorder(skip);
  const r = new IndexReader("index i", v);
  for (let at = 0; at < cbor.length; at += cut) r.push(cbor.slice(at, at + cut));
  r.end();
  return seen;
}

const cbor = encodeIndex({
  supersedes: new Set([indexId(1), indexId(2)]),
  packs: new Map([
    [packId(1), manifest(1, 2, 3)],
    [packId(2), manifest()],
    [packId(3), manifest(4, 5, 6, 7, 8, 9)],
  ]),
});

test("an index read in pieces of any size hands on the same things as one read whole", () => {
  const { v, seen: whole } = recorder();
  visitIndex(cbor, "index i", v);
  expect(whole.length).toBe(2 + 3 + 9);
  for (const cut of [1, 2, 3, 7, 29, 30, 31, 64, 1000]) expect(inPieces(cbor, cut)).toEqual(whole);
});

test("a pack whose manifest the visitor declines is skipped, in pieces as whole", () => {
  const skip = new Set([packId(1)]);
  const { v, seen: whole } = recorder(skip);
  visitIndex(cbor, "index i", v);
  expect(whole.filter((s) => s.startsWith("chunk") || s.startsWith("tree")).length).toBe(6);
  for (const cut of [1, 5, 33]) expect(inPieces(cbor, cut, skip)).toEqual(whole);
});

test("indefinite-length containers and unknown fields read the same in pieces", () => {
  const w = new CborWriter();
  w.indefiniteMap().text("comment").text("x".repeat(300)).text("packs").indefiniteMap();
  w.bytes(idToDigest(packId(5)));
  w.array(1).map(4).text("type").text("chunk").text("extra").array(2).int(1).int(2).text("length").int(42).text("id").bytes(idToDigest(blobId(9)));
  w.end().text("supersedes").array(0).end();
  const bytes = w.finish();
  const { v, seen: whole } = recorder();
  visitIndex(bytes, "index i", v);
  expect(whole).toEqual([`pack ${packId(5)}`, `chunk 42 ${blobId(9)}`]);
  for (const cut of [1, 2, 9, 100]) expect(inPieces(bytes, cut)).toEqual(whole);
});

test("a truncated index, or one with bytes after it, fails naming where, however it is cut", () => {
  const short = cbor.subarray(0, cbor.length - 5);
  const { v } = recorder();
  expect(() => visitIndex(short, "index i", v)).toThrow(/CBOR decoding of index i failed at byte \d+: unexpected end of data/);
  const whole = (() => {
    try {
      visitIndex(short, "index i", v);
    } catch (err) {
      return (err as Error).message;
    }
  })();
  for (const cut of [1, 13, cbor.length]) {
    expect(() => inPieces(short, cut)).toThrow(whole!);
    expect(() => inPieces(new Uint8Array([...cbor, 0]), cut)).toThrow(`CBOR decoding of index i failed at byte ${cbor.length}: trailing bytes after the index`);
  }
});

test("a bad manifest entry is named by its number, however the index is cut", () => {
  const w = new CborWriter();
  w.map(1).text("packs").map(1).bytes(idToDigest(packId(1)));
  w.array(2).map(3).text("type").text("chunk").text("length").int(1).text("id").bytes(idToDigest(blobId(1)));
  w.map(3).text("type").text("blob").text("length").int(1).text("id").bytes(idToDigest(blobId(2)));
  const bytes = w.finish();
  for (const cut of [1, 7, bytes.length]) expect(() => inPieces(bytes, cut)).toThrow('manifest entry 1 has type "blob"');
});
