/**
 * The master index: every index in the repository merged, minus those another index supersedes,
 * into one blob table (blob → pack, type, length; pack → manifest) built straight from the indexes'
 * CBOR, so no blob becomes an object or a string on the way.
 */
import type { Backend } from "../backend/index.ts";
import { ID_BYTES, idFromDigest, type BlobId, type IndexId, type PackId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { log, logEnabled } from "../lib/log.ts";
import { BlobTable } from "./blob-table.ts";
import { visitIndexFile } from "./index-file.ts";
import { indexKey, listObjects } from "./keys.ts";
import { PackManifests } from "./pack-manifests.ts";

export interface MasterIndex {
  /** Every index file listed in the repository (superseded ones included). */
  readonly allIndexes: readonly IndexId[];
  /** Listed indexes that another listed index supersedes (left by an interrupted prune or rebuild-index). */
  readonly superseded: readonly IndexId[];
  /** Packs and their manifests, from the indexes that are not superseded. */
  readonly packs: ReadonlyMap<PackId, Manifest>;
  readonly blobs: BlobTable;
  /** Blobs found in more than one pack (the first pack wins; `check` reports these). */
  readonly duplicateBlobs: number;
}

/** An index file's bytes as stored. */
export interface IndexFile {
  readonly id: IndexId;
  readonly file: Uint8Array;
}

export async function loadMasterIndex(backend: Backend): Promise<MasterIndex> {
  log.info("Building a master index");
  const listed = await listObjects(backend, "index");
  const files = await Promise.all(listed.map(async ({ id }) => ({ id, file: await backend.read(indexKey(id)) })));
  const { blobs, superseded } = mergeIndexes(files);
  const allIndexes = listed.map((l) => l.id);
  return { allIndexes, superseded: allIndexes.filter((id) => superseded.has(id)), packs: new PackManifests(blobs), blobs, duplicateBlobs: blobs.duplicates };
}

/**
 * Merges index files, checked against their IDs, into one blob table: those not superseded, in ID
 * order, each pack once. The first pass learns what each supersedes (known only once every index
 * is read) and counts their blobs, so the table is made its full size at once; only the files
 * stay in memory between the passes, never their CBOR. A damaged index throws, or with
 * `onDamaged` is reported there and left out.
 */
export function mergeIndexes(files: readonly IndexFile[], onDamaged?: (err: Error) => void): { blobs: BlobTable; superseded: Set<IndexId> } {
  const superseded = new Set<IndexId>();
  const good: (IndexFile & { packs: number; blobs: number })[] = [];
  for (const f of files) {
    try {
      const counted = { ...f, packs: 0, blobs: 0 };
      visitIndexFile(f.id, f.file, {
        supersedes: (s) => void superseded.add(s),
        pack: () => {
          counted.packs++;
          return true;
        },
        blob: () => void counted.blobs++,
      });
      good.push(counted);
    } catch (err) {
      if (!onDamaged) throw err;
      onDamaged(err as Error);
    }
  }
  const merged = good.filter((f) => !superseded.has(f.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const f of good) if (superseded.has(f.id)) log.debug(`Index ${f.id} is superseded; skipping it`);
  const blobs = new BlobTable({ blobs: merged.reduce((n, f) => n + f.blobs, 0), packs: merged.reduce((n, f) => n + f.packs, 0) });
  const duplicate = (id: BlobId): void => {
    if (!logEnabled("debug")) return;
    const [first, ...others] = blobs.packsOf(id);
    log.debug(`Duplicate blob ${id} in pack ${others.at(-1)}, previously seen in pack ${first}`);
  };
  for (const { id, file } of merged) {
    visitIndexFile(id, file, {
      supersedes: () => {},
      pack: (data, at) => blobs.addPack(data, at),
      blob: (type, length, data, at) => {
        if (!blobs.addBlob(type, length, data, at)) duplicate(idFromDigest<"blob">(data.subarray(at, at + ID_BYTES)));
      },
    });
  }
  blobs.trim();
  return { blobs, superseded };
}
