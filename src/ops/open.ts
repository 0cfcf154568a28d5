/** What most read-side commands start from: the master index, the snapshots (in time order, and the damaged ones), a tree cache. */
import { withContextAsync } from "../lib/errors.ts";
import { findSnapshot, loadMasterIndex, loadSnapshots, type MasterIndex, type Repository, type SnapshotList, type StoredSnapshot, TreeCache, type TreeSource } from "../repo/index.ts";

export interface LoadedRepository {
  readonly repo: Repository;
  readonly index: MasterIndex;
  readonly snapshots: SnapshotList;
  readonly trees: TreeCache;
}

/**
 * Snapshots are listed before the indexes: a backup running alongside stores its index before its
 * snapshot, so every snapshot listed here has its blobs in an index listed after.
 */
export async function loadRepository(repo: Repository): Promise<LoadedRepository> {
  const snapshots = await loadSnapshots(repo.backend);
  const index = await loadMasterIndex(repo.backend);
  return { repo, index, snapshots, trees: new TreeCache(repo.backend, index.blobs) };
}

/** The snapshot `ref` and its trees, read as they are needed (cached, or through `once` not); an error reading one names the snapshot. */
export function snapshotTrees(loaded: LoadedRepository, ref: string): { stored: StoredSnapshot; trees: TreeSource; once: TreeSource } {
  const stored = findSnapshot(loaded.snapshots, ref);
  const source = (keep: boolean): TreeSource => ({
    tree: (id) => withContextAsync(`Couldn't load the trees of snapshot ${stored.id}`, () => loaded.trees.tree(id, keep)),
    peek: (id) => loaded.trees.peek(id),
  });
  return { stored, trees: source(true), once: source(false) };
}
