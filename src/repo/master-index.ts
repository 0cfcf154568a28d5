/**
 * The master index: every index in the repository merged, minus those another index supersedes,
 * and the blob map (blob → pack, type, length) built from it.
 */
import type { Backend } from "../backend/index.ts";
import type { BlobId, IndexId, PackId } from "../format/id.ts";
import type { BlobType, Manifest } from "../format/manifest.ts";
import { log } from "../lib/log.ts";
import { loadIndex } from "./index-file.ts";
import { listObjects } from "./keys.ts";

export interface BlobLocation {
  readonly pack: PackId;
  readonly type: BlobType;
  readonly length: number;
}

export interface MasterIndex {
  /** Every index file listed in the repository (superseded ones included). */
  readonly allIndexes: readonly IndexId[];
  /** Listed indexes that another listed index supersedes (left by an interrupted prune or rebuild-index). */
  readonly superseded: readonly IndexId[];
  /** Packs and their manifests, from the indexes that are not superseded. */
  readonly packs: ReadonlyMap<PackId, Manifest>;
  readonly blobs: ReadonlyMap<BlobId, BlobLocation>;
  /** Blobs found in more than one pack (the first pack wins; `check` reports these). */
  readonly duplicateBlobs: number;
}

export async function loadMasterIndex(backend: Backend): Promise<MasterIndex> {
  log.info("Building a master index");
  const listed = await listObjects(backend, "index");
  const loaded = await Promise.all(listed.map(async ({ id }) => ({ id, index: await loadIndex(backend, id) })));
  const superseded = new Set<IndexId>();
  for (const { index } of loaded) for (const s of index.supersedes) superseded.add(s);
  const packs = new Map<PackId, Manifest>();
  for (const { id, index } of loaded.sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (superseded.has(id)) {
      log.debug(`Index ${id} is superseded; skipping it`);
      continue;
    }
    for (const [pack, manifest] of index.packs) packs.set(pack, manifest);
  }
  const { blobs, duplicates } = blobMap(packs);
  const allIndexes = listed.map((l) => l.id);
  return { allIndexes, superseded: allIndexes.filter((id) => superseded.has(id)), packs, blobs, duplicateBlobs: duplicates };
}

/** Maps every blob to the pack holding it. */
export function blobMap(packs: ReadonlyMap<PackId, Manifest>): { blobs: Map<BlobId, BlobLocation>; duplicates: number } {
  const blobs = new Map<BlobId, BlobLocation>();
  let duplicates = 0;
  for (const [pack, manifest] of packs) {
    for (const e of manifest) {
      const prev = blobs.get(e.id);
      if (prev) {
        duplicates++;
        log.debug(`Duplicate blob ${e.id} in pack ${pack}, previously seen in pack ${prev.pack}`);
        continue;
      }
      blobs.set(e.id, { pack, type: e.type, length: e.length });
    }
  }
  return { blobs, duplicates };
}
