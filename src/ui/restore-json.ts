/** restore's `--json` messages: `status` while it writes and the `summary` at its end (docs/json.md). */
import type { SnapshotId } from "../format/id.ts";
import type { WriteProgress } from "../ops/file-writer.ts";
import type { ChangeCounts } from "./json-changes.ts";
import { seconds } from "./json-lines.ts";

function written(p: WriteProgress): object {
  return { total_files: p.totalFiles, files_restored: p.filesDone, total_bytes: p.totalBytes, bytes_restored: p.bytesWritten };
}

export function restoreStatus(p: WriteProgress, elapsed: number): object {
  return { seconds_elapsed: Math.floor(elapsed), percent_done: p.totalBytes > 0 ? Math.min(1, p.bytesWritten / p.totalBytes) : 0, ...written(p) };
}

/** The snapshot restored, the files and bytes written, and how many paths each kind of change touched. */
export function restoreSummary(id: SnapshotId, p: WriteProgress, changes: ChangeCounts, dryRun: boolean, elapsed: number): object {
  return { dry_run: dryRun, snapshot_id: id, ...written(p), ...changes, total_duration: seconds(elapsed) };
}
