/**
 * `copy`: copies snapshots into another repository, chunks and trees included (what the
 * destination already has is not copied again), leaving out paths the skip patterns match. An
 * unfiltered copy keeps every snapshot's ID. Snapshots are stored only after their data and index,
 * and never again when the destination has them (a key that may not overwrite is enough).
 */
import type { SnapshotId } from "../format/id.ts";
import { makeSnapshot } from "../format/snapshot.ts";
import { log } from "../lib/log.ts";
import { ChunkReader, listObjects, loadMasterIndex, type Repository, selectSnapshots, type SnapshotFilter, snapshotId, storeSnapshots } from "../repo/index.ts";
import { loadRepository } from "./open.ts";
import { repackTree } from "./repack.ts";
import { RepackWriter, type RepackProgress } from "./repack-writer.ts";
import { treeSkipper } from "./skip-paths.ts";

export interface CopyOptions {
  /** Snapshot references; none: every snapshot the filter matches. */
  readonly snapshots: readonly string[];
  readonly filter: SnapshotFilter;
  readonly skips: readonly string[];
  readonly dryRun: boolean;
  readonly scratchDir: string;
  readonly progress?: RepackProgress;
}

/** Returns the IDs of the snapshots written to (or, dry-running, that would be written to) the destination. */
export async function copy(from: Repository, to: Repository, opts: CopyOptions): Promise<SnapshotId[]> {
  const src = await loadRepository(from);
  const chosen = selectSnapshots(src.snapshots, opts.snapshots, opts.filter);
  const destIndex = await loadMasterIndex(to.backend);
  const out = await RepackWriter.resuming(to, {
    scratchDir: opts.scratchDir,
    dryRun: opts.dryRun,
    packed: destIndex.blobs,
    ...(opts.progress ? { progress: opts.progress } : {}),
  });
  const reader = new ChunkReader(from.backend, src.index.blobs);
  const copies = [];
  try {
    for (const s of chosen) {
      log.info(`Copying snapshot ${s.id}`);
      const skip = treeSkipper(opts.skips, s.snapshot.paths);
      const root = await repackTree(s.snapshot.tree, src.trees, {
        ...(skip ? { skip } : {}),
        chunk: (id, path) => out.copyChunk(id, reader, path),
        keepTree: (id) => out.copyTree(id, reader),
        storeTree: out.storeTree,
      });
      copies.push(makeSnapshot({ ...s.snapshot, tree: root }));
    }
  } catch (err) {
    out.abandon();
    throw err;
  }
  await out.finish();
  const ids = copies.map(snapshotId);
  const there = new Set((await listObjects(to.backend, "snapshot")).map((s) => s.id));
  for (const id of ids) if (there.has(id)) log.info(`Snapshot ${id} is already in the destination`);
  if (!opts.dryRun) await storeSnapshots(to, copies.filter((_, i) => !there.has(ids[i]!)), opts.scratchDir);
  return ids;
}
