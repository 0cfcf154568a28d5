/** prune's `--json` messages: `status` while it repacks and the `summary` of what it kept, rewrote and deleted (docs/json.md). */
import type { Traffic } from "../backend/index.ts";
import type { PruneReport } from "../ops/prune.ts";
import type { RepackProgress } from "../ops/repack-writer.ts";

export function repackStatus(p: RepackProgress, traffic: Traffic, elapsed: number): object {
  return {
    seconds_elapsed: Math.floor(elapsed),
    bytes_packed: p.chunkBytes + p.treeBytes,
    bytes_reused: p.reusedBytes,
    bytes_uploaded: traffic.uploaded,
    bytes_downloaded: traffic.downloaded,
    packs_indexed: p.indexedPacks,
  };
}

export function pruneSummary(r: PruneReport, dryRun: boolean): object {
  return {
    dry_run: dryRun,
    packs_kept: r.kept.packs,
    bytes_kept: r.kept.bytes,
    packs_rewritten: r.rewritten.packs,
    bytes_rewritten: r.rewritten.bytes,
    packs_dropped: r.dropped.packs,
    bytes_dropped: r.dropped.bytes,
    packs_unlisted: r.unlisted.packs,
    bytes_unlisted: r.unlisted.bytes,
    indexes_replaced: r.replacedIndexes,
    indexes_superseded: r.supersededIndexes,
    extra_copies: r.extraCopies,
  };
}
