/** `diff`: compare two snapshots, or a snapshot with its paths on disk as they are now. */
import fs from "node:fs";
import type { SnapshotId } from "../format/id.ts";
import { log } from "../lib/log.ts";
import type { Repository } from "../repo/repository.ts";
import { forestTree } from "../repo/tree-cache.ts";
import type { CompareCallbacks } from "./compare.ts";
import { compareTrees } from "./compare.ts";
import { forestFromFs } from "./fs-forest.ts";
import { loadRepository, snapshotWithForest } from "./open.ts";

export interface DiffOptions {
  readonly first: string;
  /** The second snapshot; without one, the first is compared with the filesystem. */
  readonly second?: string;
  readonly callbacks: CompareCallbacks;
}

/** Reports each difference to `opts.callbacks`; returns the IDs of the snapshots compared (no second when it was the filesystem). */
export async function diff(repo: Repository, opts: DiffOptions): Promise<{ first: SnapshotId; second?: SnapshotId }> {
  const loaded = await loadRepository(repo);
  const one = await snapshotWithForest(loaded, opts.first);
  let other;
  let second: SnapshotId | undefined;
  if (opts.second !== undefined) {
    const two = await snapshotWithForest(loaded, opts.second);
    log.info(`Comparing snapshot ${one.stored.id} to ${two.stored.id}`);
    other = [two.stored.snapshot.tree, two.forest] as const;
    second = two.stored.id;
  } else {
    const paths = one.stored.snapshot.paths;
    log.info(`Comparing snapshot ${one.stored.id} to its paths, {${paths.map((p) => JSON.stringify(p)).join(", ")}}`);
    other = await forestFromFs(paths.filter((p) => fs.existsSync(p)), forestTree(one.forest, one.stored.snapshot.tree), one.forest);
  }
  await compareTrees([one.stored.snapshot.tree, one.forest], [other[0], other[1]], "", opts.callbacks);
  return { first: one.stored.id, ...(second === undefined ? {} : { second }) };
}
