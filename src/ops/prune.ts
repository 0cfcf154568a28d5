/**
 * `prune`: find the blobs no snapshot reaches; keep packs whose blobs are all reachable, repack
 * the reachable blobs of the others ("sparse" packs) through the pipeline, store a new index that
 * supersedes every current one, and only then delete the old indexes and then the old packs, so
 * no index ever names a missing pack. An interrupted prune resumes from the WIP index; packs no
 * index lists and superseded indexes that a killed run left are deleted too. With a damaged
 * snapshot it refuses, deleting nothing: the data only that snapshot used can't be told apart.
 */
import type { BlobId, IndexId, PackId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { BackpakError } from "../lib/errors.ts";
import { niceSize } from "../lib/sizes.ts";
import { log } from "../lib/log.ts";
import { ChunkReader } from "../repo/chunk-reader.ts";
import { indexKey, listObjects, packKey } from "../repo/keys.ts";
import type { Repository } from "../repo/repository.ts";
import { findResumable, type Resumable } from "../repo/resume.ts";
import { damagedSnapshotsHint } from "../repo/snapshots.ts";
import { loadForest, type Forest } from "../repo/tree-cache.ts";
import { loadRepository } from "./open.ts";
import { planPacks, reachableBlobs } from "./prune-plan.ts";
import { repackTree } from "./repack.ts";
import { RepackWriter, type RepackProgress } from "./repack-writer.ts";

export interface PruneOptions {
  readonly dryRun: boolean;
  readonly scratchDir: string;
  /** Receives the summary lines (stdout in backpak). */
  readonly print: (line: string) => void;
  readonly progress?: RepackProgress;
}

const blobBytes = (manifests: Iterable<Manifest>): number => {
  let n = 0;
  for (const m of manifests) for (const e of m) n += e.length;
  return n;
};

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

export async function prune(repo: Repository, opts: PruneOptions): Promise<void> {
  const loaded = await loadRepository(repo);
  const { chronological, damaged } = loaded.snapshots;
  if (damaged.length > 0) {
    // What a damaged snapshot uses is unknown, so pruning could delete the only copy of its data.
    throw new BackpakError("conflict", `Won't prune: ${damaged.map((d) => d.key).join(", ")} can't be read, so the data ${damaged.length === 1 ? "it uses" : "they use"} is unknown`, {
      hint: `nothing was deleted; ${damagedSnapshotsHint(damaged, true)}`,
    });
  }
  const forests = new Map<BlobId, Forest>();
  for (const s of chronological) forests.set(s.snapshot.tree, await loadForest(s.snapshot.tree, loaded.trees));
  const { reusable, sparse, droppable, extraCopies } = planPacks(loaded.index.packs, reachableBlobs(forests.values()));
  if (extraCopies > 0) log.info(`${plural(extraCopies, "blob is", "blobs are")} stored more than once; the extra copies go`);
  // Packs no index lists: a killed prune's old packs, or a killed backup's (a prune runs alone, so no run is still writing them).
  const unlisted = (await listObjects(repo.backend, "pack")).filter((p) => !loaded.index.packs.has(p.id));
  const leftovers = (): void => {
    if (unlisted.length > 0) opts.print(`Delete ${plural(unlisted.length, "pack", "packs")} (${niceSize(unlisted.reduce((n, p) => n + p.size, 0))}) that no index lists`);
  };
  if (sparse.size === 0 && droppable.size === 0) {
    if (unlisted.length === 0 && loaded.index.superseded.length === 0) {
      opts.print(`All ${niceSize(blobBytes(reusable.values()))} in use! Nothing to do.`);
      return;
    }
    // A killed prune stored its index but didn't finish deleting: finish for it.
    opts.print(`All ${niceSize(blobBytes(reusable.values()))} in use`);
    leftovers();
    if (loaded.index.superseded.length > 0) opts.print(`Delete ${plural(loaded.index.superseded.length, "superseded index", "superseded indexes")}`);
    if (!opts.dryRun) await removeOld(repo, loaded.index.superseded, unlisted.map((p) => p.id));
    return;
  }
  // The indexes read above, and only those: an index this prune never read must never be superseded.
  const superseded = new Set<IndexId>(loaded.index.allIndexes);
  log.debug(`Packs [${[...sparse.keys()].join(", ")}] could be repacked`);
  log.debug(`Packs [${[...droppable.keys()].join(", ")}] can be dropped`);
  opts.print(
    `Keep ${reusable.size} packs (${niceSize(blobBytes(reusable.values()))}), rewrite ${sparse.size} (${niceSize(blobBytes(sparse.values()))}), drop ${droppable.size} (${niceSize(blobBytes(droppable.values()))}), and replace the ${superseded.size} current indexes`,
  );
  leftovers();

  let start = { packs: reusable as ReadonlyMap<PackId, Manifest>, supersedes: superseded as ReadonlySet<IndexId> };
  const resumed = usableWip(await findResumable(opts.scratchDir, repo.backend, true), start);
  if (resumed) start = resumed.wip;
  const out = await RepackWriter.open(repo, { scratchDir: opts.scratchDir, dryRun: opts.dryRun, start, ...(resumed ? { leftovers: resumed.localPacks } : {}), ...(opts.progress ? { progress: opts.progress } : {}) });
  try {
    const reader = new ChunkReader(repo.backend, loaded.index.blobs);
    // Nothing is skipped: a prune never changes a snapshot, only where its blobs live.
    for (const [root, forest] of forests) {
      await repackTree(root, forest, { chunk: (id, path) => out.copyChunk(id, reader, path), keepTree: (id) => out.copyTree(id, reader), storeTree: out.storeTree });
    }
  } catch (err) {
    out.abandon();
    throw err;
  }
  await out.finish();

  if (opts.dryRun) {
    log.info("Prune complete");
    return;
  }
  log.info("Prune complete, removing old indexes");
  // The packs a resumed run stored are unlisted until now, and the new index lists them; so are
  // packs a killed prune stored that this one made again (same blobs in the same order, same ID).
  const listed = out.writer.packs;
  const old = [...sparse.keys(), ...droppable.keys(), ...unlisted.map((p) => p.id)].filter((p) => !listed.has(p));
  await removeOld(repo, superseded, old);
}

/** Deletes the indexes, then the packs: no index ever names a deleted pack, since each removal is durable before the next. */
async function removeOld(repo: Repository, indexes: Iterable<IndexId>, packs: Iterable<PackId>): Promise<void> {
  for (const id of indexes) await repo.backend.remove(indexKey(id));
  for (const id of packs) await repo.backend.remove(packKey(id));
}

/** A prune's WIP index is picked up only if it replaces the same indexes and keeps every reusable pack. */
function usableWip(r: Resumable | undefined, start: { packs: ReadonlyMap<PackId, Manifest>; supersedes: ReadonlySet<IndexId> }): Resumable | undefined {
  if (!r) return undefined;
  const same = r.wip.supersedes.size === start.supersedes.size && [...start.supersedes].every((s) => r.wip.supersedes.has(s));
  if (!same) {
    log.warn("WIP index file supersedes a different set of indexes. Starting over.");
    return undefined;
  }
  if (![...start.packs.keys()].every((p) => r.wip.packs.has(p))) {
    log.warn("WIP index file isn't a superset of reusable packs. Starting over.");
    return undefined;
  }
  return r;
}
