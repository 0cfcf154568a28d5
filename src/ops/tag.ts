/**
 * `tag`: changes the tags of snapshots. A snapshot is named by its contents, so its tags can't be
 * edited in place: each changed snapshot is written anew (same tree, time, zone, author and paths,
 * so it keeps its place in time order) and stored whole before the old file is removed. A crash
 * in between leaves both, never neither.
 */
import { makeSnapshot } from "../format/snapshot.ts";
import type { SnapshotId } from "../format/id.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { findSnapshots, loadSnapshots, type Repository, snapshotKey, storeSnapshot } from "../repo/index.ts";

/** What to do to each snapshot's tags: replace them all with `set`, or add and remove some. */
export interface TagEdit {
  readonly set?: readonly string[];
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** The tags a snapshot has after the edit. */
export function editedTags(tags: readonly string[], edit: TagEdit): string[] {
  const out = new Set(edit.set ?? tags);
  for (const t of edit.add) out.add(t);
  for (const t of edit.remove) out.delete(t);
  return [...out];
}

/** Edits the tags of the snapshots `refs` name; `print` gets `Snapshot <old> is now <new>` for each one changed. Returns how many changed. */
export async function tag(repo: Repository, refs: readonly string[], edit: TagEdit, scratchDir: string, print: (line: string) => void): Promise<number> {
  let changed = 0;
  for (const { id, snapshot } of findSnapshots(await loadSnapshots(repo.backend), refs)) {
    const edited = makeSnapshot({ ...snapshot, tags: editedTags(snapshot.tags, edit) });
    if (edited.tags.join("\0") === snapshot.tags.join("\0")) {
      log.info(`Snapshot ${id} already has those tags`);
      continue;
    }
    const newId: SnapshotId = await storeSnapshot(repo, edited, scratchDir);
    try {
      await repo.backend.remove(snapshotKey(id));
    } catch (err) {
      // A forget running alongside removed it first: the retagged copy stays, as tag was asked.
      if (!(err instanceof BackpakError && err.kind === "not-found")) throw err;
      log.warn(`Snapshot ${id} was removed by another command while its tags were changed; its retagged copy ${newId} stays`);
    }
    print(`Snapshot ${id} is now ${newId}`);
    changed++;
  }
  return changed;
}
