/** Valid objects of every kind the decoders read, made with the project's own encoders: the starting points the fuzzer mutates. */
import { encodeIndex } from "../../src/format/index-file.ts";
import { INDEX_MAGIC, PACK_MAGIC, magicBytes } from "../../src/format/magic.ts";
import { encodeManifest, type Manifest } from "../../src/format/manifest.ts";
import { encodeSnapshotBody, encodeSnapshotFile, type Snapshot } from "../../src/format/snapshot.ts";
import { encodeTree, type Node, type Tree } from "../../src/format/tree.ts";
import type { IndexId, PackId } from "../../src/format/id.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { zstdCompress } from "../../src/kernels/zstd.ts";
import { concatBytes, u32BE, utf8 } from "../../src/lib/bytes.ts";

const T = 1_700_000_000_123_456_789n;
const posix = (mode: number, size?: number): Node["metadata"] => ({ type: "posix", mode, ...(size === undefined ? {} : { size }), uid: 1000, gid: 100, atime: T, mtime: T });
const blobs = [utf8("first chunk\n"), utf8("second, longer chunk of a file\n"), new Uint8Array(300).fill(7)];
const ids = blobs.map((b) => hashId<"blob">(b));

function tree(): Tree {
  const sub = encodeTree(new Map([["inner.txt", { contents: { kind: "file", chunks: [ids[0]!] }, metadata: posix(0o100600, blobs[0]!.length) }]]));
  return new Map<string, Node>([
    ["a.txt", { contents: { kind: "file", chunks: ids }, metadata: posix(0o100644, blobs.reduce((n, b) => n + b.length, 0)) }],
    ["empty", { contents: { kind: "file", chunks: [] }, metadata: posix(0o100644, 0) }],
    ["link", { contents: { kind: "symlink", target: "../elsewhere/ünïcode" }, metadata: posix(0o120777) }],
    ["sub", { contents: { kind: "dir", tree: hashId<"blob">(sub) }, metadata: posix(0o40755) }],
    ["win.txt", { contents: { kind: "file", chunks: [ids[1]!] }, metadata: { type: "windows", attributes: 0x20, size: blobs[1]!.length, creationTime: T, accessTime: null, writeTime: T } }],
  ]);
}

const snapshot: Snapshot = { time: T, tz: "Europe/Paris", author: "fuzzer", tags: ["daily", "héllo"], paths: ["/home/me/src", "/etc"], tree: ids[2]! };
const manifest: Manifest = blobs.map((b, i) => ({ type: i === 2 ? "tree" : "chunk", length: b.length, id: ids[i]! }));

/** A pack file around `manifest`'s CBOR (blobs in one frame, the manifest in another, then its length). */
export function packFile(manifestCbor: Uint8Array): Uint8Array {
  const zm = zstdCompress(manifestCbor);
  return concatBytes([magicBytes(PACK_MAGIC), zstdCompress(concatBytes(blobs)), zm, u32BE(zm.length)]);
}

/** An index file around its CBOR. */
export function indexFile(cbor: Uint8Array): Uint8Array {
  return concatBytes([magicBytes(INDEX_MAGIC), zstdCompress(cbor)]);
}

export const treeCbor = encodeTree(tree());
export const manifestCbor = encodeManifest(manifest);
export const packId = hashId<"pack">(manifestCbor) as PackId;
export const indexCbor = encodeIndex({ supersedes: new Set([hashId<"index">(utf8("older")) as IndexId]), packs: new Map([[packId, manifest]]) });
export const snapshotFiles = [encodeSnapshotFile(encodeSnapshotBody(snapshot, "2"), "2"), encodeSnapshotFile(encodeSnapshotBody(snapshot, "1"), "1")];
