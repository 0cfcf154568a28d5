/**
 * Selecting snapshots as restic's `--tag`, `--host` and `--path` do (here `--author`, backpak's
 * name for the host): a snapshot matches when it has every tag of at least one tag list given,
 * was made by one of the authors given, and has every path given. A kind of filter not given
 * matches everything. References pick from the matches as restic's do: an ID or prefix names its
 * snapshot whatever the filters say, while LAST/latest counts only the snapshots that match.
 */
import type { Snapshot } from "../format/snapshot.ts";
import { findSnapshots, type SnapshotList, type StoredSnapshot } from "./snapshots.ts";

export interface SnapshotFilter {
  /** Alternatives, each a set of tags a snapshot must all have (restic's `--tag a,b --tag c`: a and b, or c); an empty set matches untagged snapshots. */
  readonly tags: readonly (readonly string[])[];
  /** A snapshot's author must be one of these. */
  readonly authors: readonly string[];
  /** A snapshot's paths must include each of these. */
  readonly paths: readonly string[];
}

export const NO_FILTER: SnapshotFilter = { tags: [], authors: [], paths: [] };

export const isNoFilter = (f: SnapshotFilter): boolean => f.tags.length === 0 && f.authors.length === 0 && f.paths.length === 0;

/** Whether the snapshot passes every kind of filter given. */
export function matchesFilter(s: Snapshot, f: SnapshotFilter): boolean {
  if (f.tags.length > 0 && !f.tags.some((all) => (all.length === 0 ? s.tags.length === 0 : all.every((t) => s.tags.includes(t))))) return false;
  if (f.authors.length > 0 && !f.authors.includes(s.author)) return false;
  return f.paths.every((p) => s.paths.includes(p));
}

/**
 * The snapshots a command works on, oldest first: with no references, every readable snapshot the
 * filter matches; with references, the ones they name (LAST/latest counting only matches).
 */
export function selectSnapshots(list: SnapshotList, refs: readonly string[], filter: SnapshotFilter): StoredSnapshot[] {
  const matching = list.chronological.filter((s) => matchesFilter(s.snapshot, filter));
  return refs.length === 0 ? matching : findSnapshots(list, refs, isNoFilter(filter) ? undefined : matching);
}
