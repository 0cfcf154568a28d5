/**
 * `prune`: find the blobs no snapshot reaches; keep packs whose blobs are all reachable, repack
 * the reachable blobs of the others ("sparse" packs) through the pipeline, store a new index that
 * supersedes every current one, and only then delete the old indexes and then the old packs, so
 * no index ever names a missing pack. An interrupted prune resumes from the WIP index; packs no
 * index lists and superseded indexes that a killed run left are deleted too. With a damaged
 * snapshot it refuses, deleting nothing: the data only that snapshot used can't be told apart.
 */
import type { IndexId, PackId } from "../format/id.ts";
import type { IndexContents } from "../format/index-file.ts";
import type { Manifest } from "../format/manifest.ts";
import { BackpakError } from "../lib/errors.ts";
import { niceSize } from "../lib/sizes.ts";
import { log } from "../lib/log.ts";
import { ChunkReader, damagedSnapshotsHint, findResumable, indexKey, listObjects, packKey, type Repository, type Resumable, sizesListedAsWritten } from "../repo/index.ts";
import { loadRepository } from "./open.ts";
import { planPacks, reachableBlobs } from "./prune-plan.ts";
import { repackTree } from "./repack.ts";
import { RepackWriter, type RepackProgress } from "./repack-writer.ts";
import { plural } from "../lib/plural.ts";

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


/** A number of packs and the bytes of the blobs in them (or, for unlisted packs, their file sizes). */
export interface PackCount {
  readonly packs: number;
  readonly bytes: number;
}

/** What a prune did (or with dryRun, would do). */
export interface PruneReport {
  /** Packs kept as they are, rewritten without their unused blobs, and deleted whole. */
  readonly kept: PackCount;
  readonly rewritten: PackCount;
  readonly dropped: PackCount;
  /** Packs no index lists (a killed run's), deleted. */
  readonly unlisted: PackCount;
  /** Indexes replaced by the new one, and superseded indexes a killed prune left, deleted. */
  readonly replacedIndexes: number;
  readonly supersededIndexes: number;
  /** Blobs stored more than once, whose extra copies go. */
  readonly extraCopies: number;
}

const counted = (packs: ReadonlyMap<PackId, Manifest>): PackCount => ({ packs: packs.size, bytes: blobBytes(packs.values()) });

export async function prune(repo: Repository, opts: PruneOptions): Promise<PruneReport> {
  const loaded = await loadRepository(repo);
  const { chronological, damaged } = loaded.snapshots;
  if (damaged.length > 0) {
    // What a damaged snapshot uses is unknown, so pruning could delete the only copy of its data.
    throw new BackpakError("conflict", `Won't prune: ${damaged.map((d) => d.key).join(", ")} can't be read, so the data ${damaged.length === 1 ? "it uses" : "they use"} is unknown`, {
      hint: `nothing was deleted; ${damagedSnapshotsHint(damaged, true)}`,
    });
  }
  const roots = new Set(chronological.map((s) => s.snapshot.tree));
  const { reusable, sparse, droppable, extraCopies } = planPacks(loaded.index.packs, await reachableBlobs(roots, loaded.trees));
  if (extraCopies > 0) log.info(`${plural(extraCopies, "blob is", "blobs are")} stored more than once; the extra copies go`);
  // The indexes read above, and only those: an index this prune never read must never be superseded.
  const superseded = new Set<IndexId>(loaded.index.allIndexes);
  const wip = carriedWip(await findResumable(opts.scratchDir, repo.backend, { replacesIndexes: true, exactSizes: sizesListedAsWritten(repo.config) }), reusable, superseded);
  // Packs no index lists: a killed prune's old packs, or a killed backup's (a prune runs alone, so
  // no run is still writing them), but for those of the WIP index carried on: the new index lists
  // them, or (stored short) the writer deletes them first.
  const carried = new Set<PackId>(wip ? [...wip.resumed.wip.packs.keys(), ...wip.resumed.storedShort] : []);
  const unlisted = (await listObjects(repo.backend, "pack")).filter((p) => !loaded.index.packs.has(p.id) && !carried.has(p.id));
  const report = {
    kept: counted(reusable),
    rewritten: counted(sparse),
    dropped: counted(droppable),
    unlisted: { packs: unlisted.length, bytes: unlisted.reduce((n, p) => n + p.size, 0) },
    replacedIndexes: 0,
    supersededIndexes: 0,
    extraCopies,
  };
  const leftovers = (): void => {
    if (unlisted.length > 0) opts.print(`Delete ${plural(unlisted.length, "pack", "packs")} (${niceSize(report.unlisted.bytes)}) that no index lists`);
  };
  if (sparse.size === 0 && droppable.size === 0 && wip === undefined) {
    if (unlisted.length === 0 && loaded.index.superseded.length === 0) {
      opts.print(`All ${niceSize(report.kept.bytes)} in use! Nothing to do.`);
      return report;
    }
    // A killed prune stored its index but didn't finish deleting: finish for it.
    opts.print(`All ${niceSize(report.kept.bytes)} in use`);
    leftovers();
    if (loaded.index.superseded.length > 0) opts.print(`Delete ${plural(loaded.index.superseded.length, "superseded index", "superseded indexes")}`);
    if (!opts.dryRun) await removeOld(repo, loaded.index.superseded, unlisted.map((p) => p.id));
    return { ...report, supersededIndexes: loaded.index.superseded.length };
  }
  log.debug(`Packs [${[...sparse.keys()].join(", ")}] could be repacked`);
  log.debug(`Packs [${[...droppable.keys()].join(", ")}] can be dropped`);
  opts.print(
    `Keep ${reusable.size} packs (${niceSize(report.kept.bytes)}), rewrite ${sparse.size} (${niceSize(report.rewritten.bytes)}), drop ${droppable.size} (${niceSize(report.dropped.bytes)}), and replace the ${superseded.size} current indexes`,
  );
  if (wip?.adopted) {
    const { packs } = wip.resumed.wip;
    opts.print(`Keep ${plural(packs.size, "pack", "packs")} (${niceSize(blobBytes(packs.values()))}) an interrupted run left, listed in the new index so that the next backup reuses ${packs.size === 1 ? "it" : "them"}`);
  }
  leftovers();

  const start = wip?.start ?? { packs: reusable as ReadonlyMap<PackId, Manifest>, supersedes: superseded as ReadonlySet<IndexId> };
  const resumed = wip?.resumed;
  const out = await RepackWriter.open(repo, { scratchDir: opts.scratchDir, dryRun: opts.dryRun, start, ...(resumed ? { resumed } : {}), ...(opts.progress ? { progress: opts.progress } : {}) });
  try {
    const reader = new ChunkReader(repo.backend, loaded.index.blobs);
    // Nothing is skipped: a prune never changes a snapshot, only where its blobs live.
    for (const root of roots) {
      await repackTree(root, loaded.trees, { chunk: (id, path) => out.copyChunk(id, reader, path), keepTree: (id) => out.copyTree(id, reader), storeTree: out.storeTree });
    }
  } catch (err) {
    out.abandon();
    throw err;
  }
  await out.finish();

  const done = { ...report, replacedIndexes: superseded.size };
  if (opts.dryRun) {
    log.info("Prune complete");
    return done;
  }
  log.info("Prune complete, removing old indexes");
  // The packs a resumed run stored are unlisted until now, and the new index lists them; so are
  // packs a killed prune stored that this one made again (same blobs in the same order, same ID).
  const listed = out.writer.packs;
  const old = [...sparse.keys(), ...droppable.keys(), ...unlisted.map((p) => p.id)].filter((p) => !listed.has(p));
  await removeOld(repo, superseded, old);
  return done;
}

/** Deletes the indexes, then the packs: no index ever names a deleted pack, since each removal is durable before the next. */
async function removeOld(repo: Repository, indexes: Iterable<IndexId>, packs: Iterable<PackId>): Promise<void> {
  for (const id of indexes) await repo.backend.remove(indexKey(id));
  for (const id of packs) await repo.backend.remove(packKey(id));
}

/** A WIP index this prune carries on from, and the index it starts from with it. */
interface CarriedWip {
  readonly resumed: Resumable;
  readonly start: IndexContents;
  /** It is another command's (a backup's, a copy's): its packs are added to what the prune keeps. */
  readonly adopted: boolean;
}

/**
 * What this prune carries on from the WIP index in its scratch directory. One that supersedes
 * nothing was left by a killed backup, copy or filter-snapshot (and adopted by this prune): its
 * packs, stored or still in the scratch directory, are kept and listed in the new index, so the
 * next backup finds their blobs instead of storing them again. A prune's is picked up only if it
 * replaces the same indexes and keeps every reusable pack.
 */
function carriedWip(r: Resumable | undefined, reusable: ReadonlyMap<PackId, Manifest>, superseded: ReadonlySet<IndexId>): CarriedWip | undefined {
  if (!r) return undefined;
  if (r.wip.supersedes.size === 0) {
    if (r.wip.packs.size === 0) return undefined;
    return { resumed: r, start: { packs: new Map([...reusable, ...r.wip.packs]), supersedes: superseded }, adopted: true };
  }
  const same = r.wip.supersedes.size === superseded.size && [...superseded].every((s) => r.wip.supersedes.has(s));
  if (!same) {
    log.warn("WIP index file supersedes a different set of indexes. Starting over.");
    return undefined;
  }
  if (![...reusable.keys()].every((p) => r.wip.packs.has(p))) {
    log.warn("WIP index file isn't a superset of reusable packs. Starting over.");
    return undefined;
  }
  return { resumed: r, start: r.wip, adopted: false };
}
