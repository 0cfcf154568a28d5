/**
 * The master index: every index in the repository merged, minus those another index supersedes,
 * into one blob table (blob → pack, type, length; pack → manifest) built straight from the indexes'
 * CBOR, so no blob becomes an object or a string on the way.
 */
import type { Backend } from "../backend/index.ts";
import { ID_BYTES, idFromDigest, type BlobId, type IndexId, type PackId } from "../format/id.ts";
import { mostEntriesIn, type Manifest } from "../format/manifest.ts";
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

/** Index files read at once while merging: enough to hide a remote backend's latency, few enough that their bytes stay small. */
const READ_AHEAD = 4;

/**
 * Bytes of index files and their CBOR merged between collections (and one more once the table is
 * done): the runtime frees a consumed buffer only when it collects, and left to itself it let a
 * 1M-blob index's buffers and their garbage linger into the command, adding ~400 MB to `ls`'s peak.
 */
const COLLECT_EVERY = 16 << 20;

/** Reads an index file's bytes as stored. */
export type ReadIndex = (id: IndexId) => Promise<Uint8Array>;

export async function loadMasterIndex(backend: Backend): Promise<MasterIndex> {
  log.info("Building a master index");
  const listed = await listObjects(backend, "index");
  const allIndexes = listed.map((l) => l.id);
  const { blobs, superseded } = await mergeIndexes(allIndexes, (id) => backend.read(indexKey(id)));
  return { allIndexes, superseded: allIndexes.filter((id) => superseded.has(id)), packs: new PackManifests(blobs), blobs, duplicateBlobs: blobs.duplicates };
}

/**
 * Merges the indexes, each read by `read` and checked against its ID, into one blob table: those
 * not superseded, in ID order, each pack once. Each index is read and decompressed once, in ID
 * order with the next few reads under way, and its CBOR fills the table as it is walked, so only
 * one index is held decompressed (and a few as stored) at a time. What an index supersedes is known
 * only once every index is read: if one already merged turns out superseded (an interrupted prune
 * or rebuild-index left it), or fails part-way through, the merge starts again without it. A
 * damaged or unreadable index throws, or with `onDamaged` is reported there and left out.
 */
export async function mergeIndexes(ids: readonly IndexId[], read: ReadIndex, onDamaged?: (err: Error) => void): Promise<{ blobs: BlobTable; superseded: Set<IndexId> }> {
  const superseded = new Set<IndexId>();
  const damaged = new Set<IndexId>();
  const sorted = [...ids].sort();
  let blobs = await mergeInOrder(sorted, read, superseded, damaged, onDamaged);
  const left = (id: IndexId): boolean => superseded.has(id) || damaged.has(id);
  if (blobs.mergedFrom.some(left)) blobs = await mergeInOrder(sorted.filter((id) => !left(id)), read, undefined, damaged, onDamaged);
  for (const id of sorted) if (superseded.has(id)) log.debug(`Index ${id} is superseded; skipping it`);
  blobs.table.trim();
  Bun.gc(true);
  return { blobs: blobs.table, superseded };
}

/**
 * One pass over `ids`: merges each into a new table, noting what each supersedes in `superseded`
 * (when given) and the ones that fail in `damaged`; says which indexes added to the table.
 */
async function mergeInOrder(
  ids: readonly IndexId[],
  read: ReadIndex,
  superseded: Set<IndexId> | undefined,
  damaged: Set<IndexId>,
  onDamaged?: (err: Error) => void,
): Promise<{ table: BlobTable; mergedFrom: IndexId[] }> {
  const table = new BlobTable();
  const mergedFrom: IndexId[] = [];
  const duplicate = (id: BlobId): void => {
    if (!logEnabled("debug")) return;
    const [first, ...others] = table.packsOf(id);
    log.debug(`Duplicate blob ${id} in pack ${others.at(-1)}, previously seen in pack ${first}`);
  };
  let uncollected = 0;
  const settled = (id: IndexId): Promise<Uint8Array | Error> => read(id).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  const ahead = ids.slice(0, READ_AHEAD).map(settled);
  for (let i = 0; i < ids.length; i++) {
    if (uncollected >= COLLECT_EVERY) {
      Bun.gc(true);
      uncollected = 0;
    }
    const id = ids[i]!;
    const file = await ahead.shift()!;
    if (i + READ_AHEAD < ids.length) ahead.push(settled(ids[i + READ_AHEAD]!));
    let added = false;
    /** What this index supersedes, noted only once the whole of it has checked out. */
    const supersedes: IndexId[] = [];
    try {
      if (file instanceof Error) throw file;
      await visitIndexFile(id, file, {
        size: (cborBytes) => {
          table.reserve(mostEntriesIn(cborBytes));
          uncollected += file.length + cborBytes;
        },
        supersedes: (s) => void supersedes.push(s),
        pack: (data, at) => {
          added = true;
          return table.addPack(data, at);
        },
        blob: (type, length, data, at) => {
          if (!table.addBlob(type, length, data, at)) duplicate(idFromDigest<"blob">(data.subarray(at, at + ID_BYTES)));
        },
      });
      for (const s of supersedes) superseded?.add(s);
    } catch (err) {
      damaged.add(id);
      if (!onDamaged) throw err;
      onDamaged(err as Error);
    }
    if (added) mergedFrom.push(id);
  }
  return { table, mergedFrom };
}
