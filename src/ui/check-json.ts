/** check's `--json` messages: `status` while --read-packs reads packs, and the `summary` of what it found (docs/json.md). */
import type { CheckSummary } from "../ops/check.ts";

export function checkStatus(p: { packs: number; totalPacks: number }, elapsed: number): object {
  return { seconds_elapsed: Math.floor(elapsed), percent_done: p.totalPacks > 0 ? p.packs / p.totalPacks : 1, packs_done: p.packs, total_packs: p.totalPacks };
}

export function checkSummary(s: CheckSummary, readPacks: boolean): object {
  return {
    read_packs: readPacks,
    num_errors: s.errors,
    packs: s.packs,
    snapshots: s.snapshots,
    broken_packs: s.brokenPacks,
    damaged_snapshots: s.damagedSnapshots,
    suggest_rebuild_index: s.suggestRebuildIndex,
  };
}
