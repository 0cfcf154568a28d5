/** The summary that ends a backup: files new, changed and unmodified, bytes read, and what the repository gained. */
import type { BackupProgress } from "../ops/backup.ts";
import { niceSize } from "../lib/sizes.ts";
import { clock } from "./progress-lines.ts";

export function backupSummaryLines(p: BackupProgress, elapsed: number, dryRun: boolean): string[] {
  return [
    `Files: ${p.newFiles} new, ${p.changedFiles} changed, ${p.unmodifiedFiles} unmodified`,
    `Read ${niceSize(p.readBytes)} of ${niceSize(p.totalBytes)} in ${clock(elapsed)}`,
    `${dryRun ? "Would add" : "Added"} to the repository: ${niceSize(p.chunkBytes + p.treeBytes)} (${niceSize(p.compressedBytes)} stored)`,
  ];
}
