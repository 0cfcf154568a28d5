/** Writes repositories object by object, as backpak lays them out, for tests of what the binary reads (old formats, hostile contents). */
import fs from "node:fs";
import path from "node:path";
import type { BlobId, IndexId, PackId } from "../../src/format/id.ts";
import { encodeIndex } from "../../src/format/index-file.ts";
import { INDEX_MAGIC, PACK_MAGIC } from "../../src/format/magic.ts";
import { encodeManifest, type Manifest } from "../../src/format/manifest.ts";
import { encodeSnapshotBody, encodeSnapshotFile, type Snapshot } from "../../src/format/snapshot.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { zstdCompress } from "../../src/kernels/zstd.ts";
import { concatBytes, u32BE } from "../../src/lib/bytes.ts";
import { streamedFrame } from "./zstd-stream.ts";

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
