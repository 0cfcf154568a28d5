/** usage's `--json` message: one `usage` object with what `usage` prints as text (docs/json.md). */
import { timestampString } from "../format/time.ts";
import type { UsageReport } from "../ops/usage.ts";

export function usageMessage(r: UsageReport, backend: string): object {
  return {
    snapshots: r.snapshots,
    first_time: r.first ? timestampString(r.first.time) : null,
    last_time: r.last ? timestampString(r.last.time) : null,
    unique_bytes: r.uniqueBytes,
    reused_bytes: r.reusedBytes,
    unused_bytes: r.unusedBytes,
    indexes: r.indexes,
    packs: r.packs,
    backend,
    snapshot_file_bytes: r.snapshotFileBytes,
    index_file_bytes: r.indexFileBytes,
    pack_file_bytes: r.packFileBytes,
    total_file_bytes: r.snapshotFileBytes + r.indexFileBytes + r.packFileBytes,
  };
}
