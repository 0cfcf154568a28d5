/**
 * The lines of backup, restore, check, copy and prune progress, in backpak's layout, plus
 * throughput; backup and restore also show how much of the total is done, the time taken and an ETA.
 */
import type { Traffic } from "../backend/index.ts";
import type { BackupProgress } from "../ops/backup.ts";
import type { WriteProgress } from "../ops/file-writer.ts";
import type { RepackProgress } from "../ops/repack-writer.ts";
import type { WriterStats } from "../repo/index.ts";
import { niceSize } from "../lib/sizes.ts";
import { terminalWidth } from "./output.ts";
import { truncatePath } from "./progress.ts";

const rate = (bytes: number, seconds: number): string => `${niceSize(seconds > 0 ? Math.round(bytes / seconds) : 0)}/s`;
const percent = (part: number, whole: number): string => `${whole > 0 ? Math.min(100, Math.floor((100 * part) / whole)) : 100}%`;

/** A duration as m:ss, or h:mm:ss from an hour on. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const mmss = `${Math.floor((s % 3600) / 60)}:${String(s % 60).padStart(2, "0")}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss.padStart(5, "0")}` : mmss;
}

/** The time taken, and the time left if the rest goes as fast as what is done (unknown before anything is). */
function timing(done: number, total: number, elapsed: number): string {
  const eta = done >= total ? "0:00" : done > 0 && elapsed > 0 ? clock(((total - done) * elapsed) / done) : "-:--";
  return `${clock(elapsed)} elapsed, ETA ${eta}`;
}

export function downloadLine(traffic: Traffic): string {
  return `${traffic.downloaded % 1_000_000 > 500_000 ? "L" : "D"} ${niceSize(traffic.downloaded)} downloaded`;
}

/** Packed chunks + trees, reused, compressed, uploaded; then packs indexed (its letter blinks). */
function packingLines(p: WriterStats & { reusedBytes: number }, traffic: Traffic, spin: string): string[] {
  return [
    `${spin} P ${niceSize(p.chunkBytes)} + ${niceSize(p.treeBytes)} | R ${niceSize(p.reusedBytes)} | Z ${niceSize(p.compressedBytes)} | U ${niceSize(traffic.uploaded)}`,
    `${p.indexedPacks % 2 === 0 ? "I" : "i"} ${p.indexedPacks} packs indexed`,
  ];
}

export function backupLines(p: BackupProgress, traffic: Traffic, spin: string, elapsed: number): string[] {
  return [
    ...packingLines(p, traffic, spin),
    downloadLine(traffic),
    backupTotalLine(p, elapsed),
    truncatePath(p.currentPath, terminalWidth()),
  ];
}

/**
 * How much of what the pre-flight walk found is done (unmodified files count as done without
 * being read), how fast new and changed files are read, and the time.
 */
function backupTotalLine(p: BackupProgress, elapsed: number): string {
  // Bytes read before the walk ended come from a stream (backup --stdin), whose size isn't known ahead.
  if (!p.walked && p.readBytes > 0) return `T ${niceSize(p.readBytes)} read so far at ${rate(p.readBytes, elapsed)}, ${clock(elapsed)} elapsed`;
  if (!p.walked) return `T walking the paths to see what there is, ${clock(elapsed)} elapsed`;
  const files = p.newFiles + p.changedFiles + p.unmodifiedFiles;
  const done = p.readBytes + p.unmodifiedBytes;
  return `T ${niceSize(done)} of ${niceSize(p.totalBytes)} (${percent(done, p.totalBytes)}), ${files} of ${p.totalFiles} files, read at ${rate(p.readBytes, elapsed)}, ${timing(done, p.totalBytes, elapsed)}`;
}

/** Copy and prune: what was packed anew, what the destination already had, and the file being copied. */
export function repackLines(p: RepackProgress, traffic: Traffic, spin: string): string[] {
  return [...packingLines(p, traffic, spin), downloadLine(traffic), truncatePath(p.currentPath, terminalWidth())];
}

export function restoreLines(p: WriteProgress, traffic: Traffic, spin: string, elapsed: number): string[] {
  const written = `${niceSize(p.bytesWritten)} of ${niceSize(p.totalBytes)} written (${percent(p.bytesWritten, p.totalBytes)})`;
  return [
    `${spin} ${p.filesDone} of ${p.totalFiles} files, ${written} at ${rate(p.bytesWritten, elapsed)}, ${timing(p.bytesWritten, p.totalBytes, elapsed)}`,
    downloadLine(traffic),
  ];
}

export function checkLines(p: { packs: number; totalPacks: number }, traffic: Traffic, spin: string, elapsed: number): string[] {
  return [`${spin} ${p.packs}/${p.totalPacks} packs (${percent(p.packs, p.totalPacks)}) at ${rate(traffic.downloaded, elapsed)}`, downloadLine(traffic)];
}
