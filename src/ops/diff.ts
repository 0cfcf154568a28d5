/** `diff`: compare two snapshots, or a snapshot with its paths on disk as they are now. */
import fs from "node:fs";
import type { SnapshotId } from "../format/id.ts";
import { log } from "../lib/log.ts";
import type { Repository } from "../repo/index.ts";
import type { CompareCallbacks } from "./compare.ts";
import { compareTrees } from "./compare.ts";
import { forestFromFs } from "./fs-forest.ts";
import { loadRepository, snapshotTrees } from "./open.ts";
import { overlay } from "./tree-overlay.ts";

export interface DiffOptions {
  readonly first: string;
  /** The second snapshot; without one, the first is compared with the filesystem. */
  readonly second?: string;
  readonly callbacks: CompareCallbacks;
}

/** Reports each difference to `opts.callbacks`; returns the IDs of the snapshots compared (no second when it was the filesystem). */
export async function diff(repo: Repository, opts: DiffOptions): Promise<{ first: SnapshotId; second?: SnapshotId }> {
  const loaded = await loadRepository(repo);
  const one = snapshotTrees(loaded, opts.first);
  let other;
  let second: SnapshotId | undefined;
  if (opts.second !== undefined) {
    const two = snapshotTrees(loaded, opts.second);
    log.info(`Comparing snapshot ${one.stored.id} to ${two.stored.id}`);
    other = [two.stored.snapshot.tree, two.trees] as const;
    second = two.stored.id;
  } else {
    const paths = one.stored.snapshot.paths;
    log.info(`Comparing snapshot ${one.stored.id} to its paths, {${paths.map((p) => JSON.stringify(p)).join(", ")}}`);
    // Only the trees on disk the repository doesn't hold are kept; the others are read from it
    // when the comparison needs them (it rarely does: a directory with the same tree on both sides is skipped).
    const [root, fresh] = await forestFromFs(paths.filter((p) => fs.existsSync(p)), await one.trees.tree(one.stored.snapshot.tree), one.trees, undefined, (id) => !loaded.index.blobs.has(id));
    other = [root, overlay(fresh, one.trees)] as const;
  }
  await compareTrees([one.stored.snapshot.tree, one.trees], other, "", opts.callbacks);
  return { first: one.stored.id, ...(second === undefined ? {} : { second }) };
}
