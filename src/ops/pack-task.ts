/** Opens a pack for the blob pipeline: positioned reads, its verified manifest, and each blob's length and digest. */
import { idToDigest, type PackId } from "../format/id.ts";
import { PACK_MAGIC } from "../format/magic.ts";
import type { Manifest } from "../format/manifest.ts";
import type { RangeReader } from "../backend/index.ts";
import type { BlobTarget, PackTask } from "../pipeline/blob-pipeline.ts";
import { packKey } from "../repo/keys.ts";
import { readPackLayoutFrom } from "../repo/pack-file.ts";
import type { Repository } from "../repo/repository.ts";

export interface OpenPack {
  readonly manifest: Manifest;
  readonly blobsEnd: number;
  /** A pipeline task for this pack, reading the given blobs. */
  task(wanted: ReadonlyMap<number, readonly BlobTarget[]>, on?: Pick<PackTask, "onBlob" | "onDamage">): PackTask;
}

/** Runs `fn` with pack `id` open (its manifest checked against its ID), closing it afterwards. */
export async function withPack<T>(repo: Repository, id: PackId, fn: (pack: OpenPack) => Promise<T>): Promise<T> {
  const reader: RangeReader = await repo.backend.openRange(packKey(id));
  try {
    const { manifest, blobsEnd } = readPackLayoutFrom(reader, id);
    const blobs = manifest.map((e) => ({ length: e.length, digest: idToDigest(e.id) }));
    return await fn({
      manifest,
      blobsEnd,
      task: (wanted, on = {}) => ({ label: `pack ${id}`, reader, blobsStart: PACK_MAGIC.length, blobsEnd, blobs, wanted, ...on }),
    });
  } finally {
    reader.close();
  }
}
