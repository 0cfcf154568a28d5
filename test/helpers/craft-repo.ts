/** Writes repositories object by object, as backpak lays them out, for tests of what the binary reads (old formats, hostile contents). */
import fs from "node:fs";
import path from "node:path";
import type { BlobId, IndexId, PackId } from "../../src/format/id.ts";
import { encodeIndex } from "../../src/format/index-file.ts";
import { INDEX_MAGIC, PACK_MAGIC } from "../../src/format/magic.ts";
import { encodeManifest, type Manifest } from "../../src/format/manifest.ts";
import { encodeSnapshotBody, encodeSnapshotFile, type Snapshot } from "../../src/format/snapshot.ts";
import { encodeTree, type Node, type PosixMetadata } from "../../src/format/tree.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { zstdCompress } from "../../src/kernels/zstd.ts";
import { concatBytes, u32BE } from "../../src/lib/bytes.ts";
import { tempDir } from "./tmp.ts";
import { streamedFrame } from "./zstd-stream.ts";

/** A fresh temporary directory holding an empty crafted repository (`repo`) and a working directory (`work`). */
export function craftedRepo(label: string): { base: string; repo: string; work: string } {
  const base = tempDir(label);
  const repo = path.join(base, "repo");
  const work = path.join(base, "work");
  craftRepo(repo);
  fs.mkdirSync(work);
  return { base, repo, work };
}

/** An empty filesystem repository at `repo`, with backpak's config. */
export function craftRepo(repo: string): void {
  for (const d of ["packs", "indexes", "snapshots"]) fs.mkdirSync(path.join(repo, d), { recursive: true });
  fs.writeFileSync(path.join(repo, "config.toml"), 'pack_size = "100 MB"\n\n[backend]\ntype = "Filesystem"\nforce_cache = false\n');
}

/** Writes a pack whose blob stream is one streamed frame, as backpak's encoder leaves it. */
export async function writePack(repo: string, blobs: Uint8Array[], type: "chunk" | "tree"): Promise<{ id: PackId; manifest: Manifest }> {
  const manifest: Manifest = blobs.map((b) => ({ type, length: b.length, id: hashId<"blob">(b) }));
  return writePackOf(repo, await streamedFrame(blobs), manifest);
}

/** Writes a pack of `blobStream` (zstd frames, whatever they hold) under `manifest`. */
export function writePackOf(repo: string, blobStream: Uint8Array, manifest: Manifest): { id: PackId; manifest: Manifest } {
  const cbor = encodeManifest(manifest);
  const zm = zstdCompress(cbor);
  const id = hashId<"pack">(cbor);
  fs.writeFileSync(path.join(repo, "packs", `${id}.pack`), concatBytes([Buffer.from(PACK_MAGIC), blobStream, zm, u32BE(zm.length)]));
  return { id, manifest };
}

/** Writes one index listing `packs`. */
export function writeIndex(repo: string, packs: readonly { id: PackId; manifest: Manifest }[]): IndexId {
  const cbor = encodeIndex({ supersedes: new Set(), packs: new Map(packs.map((p) => [p.id, p.manifest])) });
  const id = hashId<"index">(cbor);
  fs.writeFileSync(path.join(repo, "indexes", `${id}.index`), concatBytes([Buffer.from(INDEX_MAGIC), zstdCompress(cbor)]));
  return id;
}

/** Writes a snapshot in the given file version. */
export function writeSnapshot(repo: string, snapshot: Snapshot, version: "1" | "2" = "2"): void {
  const body = encodeSnapshotBody(snapshot, version);
  fs.writeFileSync(path.join(repo, "snapshots", `${hashId(body)}.snapshot`), encodeSnapshotFile(body, version));
}

export const blobId = (bytes: Uint8Array): BlobId => hashId<"blob">(bytes);

const T = 1_700_000_000_000_000_000n;
const posix = (mode: number, size?: number): PosixMetadata => ({ type: "posix", mode, ...(size === undefined ? {} : { size }), uid: 0, gid: 0, atime: T, mtime: T });

/** A file node over `chunks` (its recorded size their sum unless `size` is given). */
export const fileNode = (chunks: readonly Uint8Array[], size = chunks.reduce((n, c) => n + c.length, 0)): Node => ({ contents: { kind: "file", chunks: chunks.map(blobId) }, metadata: posix(0o100644, size) });
/** A directory node whose tree has the given encoded bytes (or, for forgeries, the given ID). */
export const dirNode = (tree: Uint8Array | BlobId): Node => ({ contents: { kind: "dir", tree: typeof tree === "string" ? tree : blobId(tree) }, metadata: posix(0o40755) });
export const symlinkNode = (target: string): Node => ({ contents: { kind: "symlink", target }, metadata: posix(0o120777) });
/** Encodes a tree of the given entries. */
export const treeOf = (entries: Record<string, Node>): Uint8Array => encodeTree(new Map(Object.entries(entries)));

/**
 * Writes a whole snapshot: the chunks in one pack, the trees (the root last) in another, one index
 * listing both, and a snapshot of `paths` whose root is the last tree.
 */
export async function writeSnapshotOf(repo: string, paths: readonly string[], chunks: readonly Uint8Array[], trees: readonly Uint8Array[]): Promise<void> {
  const packs = [];
  if (chunks.length > 0) packs.push(await writePack(repo, [...chunks], "chunk"));
  packs.push(await writePack(repo, [...trees], "tree"));
  writeIndex(repo, packs);
  writeSnapshot(repo, { time: T, tz: "UTC", author: "mallory", tags: [], paths: [...paths], tree: blobId(trees.at(-1)!) });
}
