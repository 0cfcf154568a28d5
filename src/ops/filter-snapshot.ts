/**
 * `filter-snapshot`: writes a new snapshot in the same repository with the paths the skip
 * patterns match left out. Only trees change: every kept file's chunks must already be there.
 * The original snapshot stays (forget it to drop it).
 */
import type { SnapshotId } from "../format/id.ts";
import { makeSnapshot, type Snapshot } from "../format/snapshot.ts";
import { nowNs, systemZone } from "../format/time.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { ChunkReader, type Repository, snapshotId, storeSnapshot } from "../repo/index.ts";
import { loadRepository, snapshotTrees } from "./open.ts";
import { repackTree } from "./repack.ts";
import { RepackWriter } from "./repack-writer.ts";
import { treeSkipper } from "./skip-paths.ts";

export interface FilterSnapshotOptions {
  readonly snapshot: string;
  readonly skips: readonly string[];
  /** Keep the original time, author and tags; otherwise the snapshot gets `author`, `tags` and now. */
  readonly keepMetadata: boolean;
  readonly author: string;
  readonly tags: readonly string[];
  readonly dryRun: boolean;
  readonly scratchDir: string;
}

/** Returns the new snapshot's ID, or undefined when nothing was filtered out. */
export async function filterSnapshot(repo: Repository, opts: FilterSnapshotOptions): Promise<SnapshotId | undefined> {
  const loaded = await loadRepository(repo);
  const { stored, trees } = snapshotTrees(loaded, opts.snapshot);
  const out = await RepackWriter.resuming(repo, { scratchDir: opts.scratchDir, dryRun: opts.dryRun, packed: loaded.index.blobs });
  const reader = new ChunkReader(repo.backend, loaded.index.blobs);
  let root;
  try {
    root = await repackTree(stored.snapshot.tree, trees, {
      skip: treeSkipper(opts.skips, stored.snapshot.paths) ?? (() => false),
      chunk: async (id, path) => {
        if (!loaded.index.blobs.has(id)) throw new BackpakError("corrupt", `Missing chunk ${id} from ${path}`, { hint: "run `backpak check`" });
      },
      keepTree: (id) => out.copyTree(id, reader),
      storeTree: out.storeTree,
    });
  } catch (err) {
    out.abandon();
    throw err;
  }
  await out.finish();
  if (root === stored.snapshot.tree) {
    log.info("Nothing filtered; no new snapshot");
    return undefined;
  }
  const meta: Pick<Snapshot, "time" | "tz" | "author" | "tags"> = opts.keepMetadata
    ? stored.snapshot
    : { time: nowNs(), tz: systemZone(), author: opts.author, tags: opts.tags };
  const snapshot = makeSnapshot({ ...meta, paths: stored.snapshot.paths, tree: root });
  return opts.dryRun ? snapshotId(snapshot) : storeSnapshot(repo, snapshot, opts.scratchDir);
}
