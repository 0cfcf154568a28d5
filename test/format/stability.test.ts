/** backpak's four golden CBOR files, reproduced byte for byte from their described inputs and decoded back. */
import { describe, expect, test } from "bun:test";
import { decodeIndex, encodeIndex } from "../../src/format/index-file.ts";
import { decodeManifest, decodeManifestColumns, encodeManifest, type Manifest } from "../../src/format/manifest.ts";
import { decodeSnapshotBody, encodeSnapshotBody, type Snapshot } from "../../src/format/snapshot.ts";
import { decodeTree, encodeTree, type Tree } from "../../src/format/tree.ts";
import { idFromDigest, ID_BYTES, type BlobId, type IndexId, type PackId } from "../../src/format/id.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { readVector } from "../vectors.ts";

const H = (s: string): BlobId => hashId<"blob">(s);
const utcNs = (iso: string, nanos: bigint): bigint => BigInt(Date.parse(iso)) * 1_000_000n + nanos;

describe("pack.stability", () => {
  const manifest: Manifest = [
    { type: "chunk", length: 42, id: H("first") },
    { type: "tree", length: 22, id: H("second") },
    { type: "chunk", length: 42, id: H("third") },
  ];
  const golden = readVector("backpak/pack.stability");
  test("encodes byte for byte", () => {
    const bytes = encodeManifest(manifest);
    expect(bytes.length).toBe(161);
    expect(Buffer.from(bytes).equals(Buffer.from(golden))).toBe(true);
    expect(hashId(bytes) as string).toBe("7c3gq0qmkioptdivd2iid0j3s7u7coci7vmluicktm20q");
  });
  test("decodes back", () => {
    expect(decodeManifest(golden, "pack.stability")).toEqual([...manifest]);
  });
  test("decodes back as columns", () => {
    const c = decodeManifestColumns(golden, "pack.stability");
    expect(c.count).toBe(3);
    expect([...c.trees]).toEqual([0, 1, 0]);
    expect([...c.lengths]).toEqual([42, 22, 42]);
    expect(c.digests.length).toBe(3 * ID_BYTES);
    expect([0, 1, 2].map((i) => idFromDigest(c.digests, i * ID_BYTES))).toEqual(manifest.map((e) => e.id));
  });
  test("columns refuse trailing bytes", () => {
    expect(() => decodeManifestColumns(new Uint8Array([...golden, 0]), "pack.stability")).toThrow(/pack.stability.*trailing bytes/);
  });
});

describe("index.stability", () => {
  const index = {
    supersedes: new Set([hashId<"index">("Some previous index"), hashId<"index">("Another previous index")]) as Set<IndexId>,
    packs: new Map<PackId, Manifest>([
      [
        hashId<"pack">("pack o' chunks"),
        [
          { type: "chunk", length: 42, id: H("a chunk") },
          { type: "chunk", length: 9001, id: H("another chunk") },
        ],
      ],
      [
        hashId<"pack">("pack o'trees"),
        [
          { type: "tree", length: 182, id: H("first tree") },
          { type: "tree", length: 22, id: H("second tree") },
          { type: "tree", length: 11, id: H("third tree") },
        ],
      ],
    ]),
  };
  const golden = readVector("backpak/index.stability");
  test("encodes byte for byte", () => {
    const bytes = encodeIndex(index);
    expect(bytes.length).toBe(408);
    expect(Buffer.from(bytes).equals(Buffer.from(golden))).toBe(true);
    expect(hashId(bytes) as string).toBe("e3vr9p4gmumq8i1dafgum50iirupu6ahk9fn6c781b09a");
  });
  test("decodes back", () => {
    const back = decodeIndex(golden, "index.stability");
    expect([...back.supersedes].sort()).toEqual([...index.supersedes].sort());
    expect(new Map(back.packs)).toEqual(index.packs);
  });
});

describe("tree.stability", () => {
  const tree: Tree = new Map([
    [
      "UnixFileNode",
      {
        contents: { kind: "file", chunks: [H("first chunk"), H("second chunk"), H("third chunk")] },
        metadata: {
          type: "posix",
          mode: 0o644,
          size: 42,
          uid: 1234,
          gid: 5678,
          atime: utcNs("2020-10-30T06:30:25Z", 157873535n),
          mtime: utcNs("2020-10-30T06:30:25Z", 34542588n),
        },
      },
    ],
    [
      "WindowsDirNode",
      {
        contents: { kind: "dir", tree: H("some subdirectory") },
        metadata: {
          type: "windows",
          attributes: 0xdeadbeef,
          creationTime: null,
          accessTime: utcNs("2020-10-29T09:11:05Z", 701157660n),
          writeTime: utcNs("2020-10-24T01:22:27Z", 624697907n),
        },
      },
    ],
  ]);
  const golden = readVector("backpak/tree.stability");
  test("encodes byte for byte", () => {
    const bytes = encodeTree(tree);
    expect(bytes.length).toBe(341);
    expect(Buffer.from(bytes).equals(Buffer.from(golden))).toBe(true);
    expect(hashId(bytes) as string).toBe("8orh4h6b5dbmv2d7g0hu46rgsfhre7477kn9lgp97cqbe");
  });
  test("decodes back, though its nodes break the kind agreement rule", () => {
    expect(new Map(decodeTree(golden, "tree.stability"))).toEqual(new Map(tree));
  });
});

describe("snapshot.stability (version 1 body)", () => {
  const snapshot: Snapshot = {
    time: utcNs("1969-07-20T20:17:40Z", 0n),
    tz: "UTC",
    author: "Neil",
    tags: ["Apollo", "NASA"],
    paths: ["moon/orbit", "moon/tranquility-base"],
    tree: H("One small step"),
  };
  const golden = readVector("backpak/snapshot.stability");
  test("encodes byte for byte", () => {
    const bytes = encodeSnapshotBody(snapshot, "1");
    expect(bytes.length).toBe(143);
    expect(Buffer.from(bytes).equals(Buffer.from(golden))).toBe(true);
    expect(hashId(bytes) as string).toBe("4t84ab7sgsjjss803e30mdrokbnibg7ubpb4leds2e91g");
  });
  test("decodes back", () => {
    expect(decodeSnapshotBody(golden, "1", "snapshot.stability")).toEqual(snapshot);
  });
});
