/** backup's `--json` messages: `status` while it runs and the `summary` at its end (docs/json.md). */
import type { BackupOutcome, BackupProgress } from "../ops/backup.ts";
import { seconds } from "./json-lines.ts";

/** How much of what the pre-flight walk found is done (unmodified files count as done), and the time left at this pace. */
export function backupStatus(p: BackupProgress, elapsed: number): object {
  const done = p.readBytes + p.unmodifiedBytes;
  const fraction = p.totalBytes > 0 ? Math.min(1, done / p.totalBytes) : p.walked ? 1 : 0;
  const remaining = p.walked && done > 0 ? { seconds_remaining: Math.round(((p.totalBytes - Math.min(done, p.totalBytes)) * elapsed) / done) } : {};
  return {
    seconds_elapsed: Math.floor(elapsed),
    ...remaining,
    percent_done: fraction,
    total_files: p.totalFiles,
    files_done: p.newFiles + p.changedFiles + p.unmodifiedFiles,
    total_bytes: p.totalBytes,
    bytes_done: done,
    current_files: p.currentPath === "" ? [] : [p.currentPath],
  };
}

export interface BackupTimes {
  readonly start: Date;
  readonly end: Date;
}

/** The counts of files and directories, the bytes read and added, the times, and the snapshot's ID when one was stored. */
export function backupSummary(p: BackupProgress, outcome: BackupOutcome, dryRun: boolean, times: BackupTimes): object {
  return {
    dry_run: dryRun,
    files_new: p.newFiles,
    files_changed: p.changedFiles,
    files_unmodified: p.unmodifiedFiles,
    files_left_out: p.leftOutFiles,
    dirs_new: p.newDirs,
    dirs_changed: p.changedDirs,
    dirs_unmodified: p.unmodifiedDirs,
    total_files_processed: p.newFiles + p.changedFiles + p.unmodifiedFiles,
    total_bytes_processed: p.readBytes + p.unmodifiedBytes,
    bytes_read: p.readBytes,
    data_added: p.chunkBytes + p.treeBytes,
    data_added_packed: p.compressedBytes,
    backup_start: times.start.toISOString(),
    backup_end: times.end.toISOString(),
    total_duration: seconds((times.end.getTime() - times.start.getTime()) / 1000),
    ...(outcome.kind === "snapshot" ? { snapshot_id: outcome.id } : { skipped: outcome.kind }),
  };
}
