/**
 * `forget`: deletes snapshot files (their data goes at the next prune). Snapshots are named by
 * reference, or "DUPLICATES" forgets every snapshot whose tree equals the one before it.
 * A retention policy (retention.ts) forgets what it does not keep instead.
 * Every reference is resolved before anything is deleted: one that names no snapshot (or
 * several) fails the command with nothing forgotten, except a full ID, which is taken as already
 * removed (so a killed `forget A B` can be run again). Deleting goes on past a failure, reported
 * at the end.
 */
import { isId, type SnapshotId } from "../format/id.ts";
import { BackpakError, causeChain } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { isNoFilter, loadSnapshots, matchesFilter, NO_FILTER, type Repository, resolveSnapshot, selectSnapshots, type SnapshotFilter, snapshotKey, type StoredSnapshot } from "../repo/index.ts";
import { applyPolicy, DEFAULT_GROUP_BY, type GroupField, type RetentionGroup, type RetentionPolicy } from "./retention.ts";

/** What forget tells the CLI, which shows it: the command's result. */
export interface ForgetEvents {
  /** A snapshot is about to be forgotten (or with dryRun, would be). */
  removing(id: SnapshotId): void;
  /** DUPLICATES found that `dup` repeats the tree of `of` (`dup` is forgotten next). */
  duplicate(dup: SnapshotId, of: SnapshotId): void;
}

export interface ForgetOptions {
  readonly refs: readonly string[];
  readonly dryRun: boolean;
  readonly filter?: SnapshotFilter;
  readonly events: ForgetEvents;
}

/** Snapshots whose tree is the same as the last different one before them (oldest first). */
export function duplicates(chronological: readonly StoredSnapshot[]): [StoredSnapshot, StoredSnapshot][] {
  const out: [StoredSnapshot, StoredSnapshot][] = [];
  let unique: StoredSnapshot | undefined;
  for (const s of chronological) {
    if (unique && s.snapshot.tree === unique.snapshot.tree) out.push([s, unique]);
    else unique = s;
  }
  return out;
}

const alreadyRemoved = (id: string): void => log.info(`Snapshot ${id} is already removed`);

/** Deletes (or with dryRun, names) the snapshots; true when every one went. */
export async function forgetSnapshots(repo: Repository, ids: Iterable<SnapshotId>, dryRun: boolean, removing: (id: SnapshotId) => void): Promise<boolean> {
  let ok = true;
  for (const id of ids) {
    removing(id);
    if (dryRun) continue;
    try {
      await repo.backend.remove(snapshotKey(id));
    } catch (err) {
      if (err instanceof BackpakError && err.kind === "not-found") {
        alreadyRemoved(id);
        continue;
      }
      log.error(causeChain(err).join(": "));
      ok = false;
    }
  }
  return ok;
}

export async function forget(repo: Repository, opts: ForgetOptions): Promise<void> {
  const all = await loadSnapshots(repo.backend);
  const filter = opts.filter ?? NO_FILTER;
  const matching = isNoFilter(filter) ? all.chronological : all.chronological.filter((s) => matchesFilter(s.snapshot, filter));
  const ids: SnapshotId[] = [];
  if (opts.refs.length === 1 && opts.refs[0] === "DUPLICATES") {
    for (const [dup, of] of duplicates(matching)) {
      opts.events.duplicate(dup.id, of.id);
      ids.push(dup.id);
    }
  } else {
    let unresolved = 0;
    for (const ref of opts.refs) {
      try {
        // A damaged snapshot can be forgotten too, by its ID or a prefix of it (its file's name).
        ids.push(resolveSnapshot(all, ref, matching).id);
      } catch (err) {
        // A full ID names one snapshot exactly, so one not there was removed by an earlier run; a prefix that matches nothing may be a typo.
        if (err instanceof BackpakError && err.kind === "not-found" && isId(ref)) {
          alreadyRemoved(ref);
          continue;
        }
        log.error(causeChain(err).join(": "));
        unresolved++;
      }
    }
    if (unresolved > 0) {
      throw new BackpakError("not-found", "Couldn't forget snapshots!", { hint: `${unresolved} of the references matched no single snapshot, so nothing was forgotten` });
    }
  }
  if (!(await forgetSnapshots(repo, new Set(ids), opts.dryRun, (id) => opts.events.removing(id)))) throw new BackpakError("io", "Couldn't forget snapshots!");
}

/** Which snapshots a policy is applied to, and how they are grouped. */
export interface PolicyScope {
  readonly filter: SnapshotFilter;
  readonly groupBy: readonly GroupField[];
}

/**
 * Applies `policy` to every snapshot the scope's filter matches, group by group, hands the
 * decisions to `report` (before anything is deleted), then forgets (or with dryRun, names) each
 * snapshot the policy does not keep.
 */
export async function forgetByPolicy(
  repo: Repository,
  policy: RetentionPolicy,
  dryRun: boolean,
  report: (groups: readonly RetentionGroup[]) => void,
  removing: (id: SnapshotId) => void,
  scope: PolicyScope = { filter: NO_FILTER, groupBy: DEFAULT_GROUP_BY },
): Promise<void> {
  // Damaged snapshots (warned about) are neither counted nor forgotten by a policy.
  const groups = applyPolicy(selectSnapshots(await loadSnapshots(repo.backend), [], scope.filter), policy, scope.groupBy);
  report(groups);
  const removed = groups.flatMap((g) => g.verdicts.filter((v) => !v.keep).map((v) => v.snapshot.id));
  if (!(await forgetSnapshots(repo, removed, dryRun, removing))) throw new BackpakError("io", "Couldn't forget snapshots!");
}
