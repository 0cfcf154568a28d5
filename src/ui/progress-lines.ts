/** The lines of backup, restore, check, copy and prune progress, in backpak's layout, plus throughput. */
import type { Traffic } from "../backend/index.ts";
import type { BackupProgress } from "../ops/backup.ts";
import type { WriteProgress } from "../ops/file-writer.ts";
import type { RepackProgress } from "../ops/repack-writer.ts";
import type { WriterStats } from "../repo/writer.ts";
import { niceSize } from "../lib/sizes.ts";
import { terminalWidth } from "./output.ts";
import { truncatePath } from "./progress.ts";

const rate = (bytes: number, seconds: number): string => `${niceSize(seconds > 0 ? bytes / seconds : 0)}/s`;
const percent = (part: number, whole: number): string => `${whole > 0 ? Math.min(100, Math.floor((100 * part) / whole)) : 100}%`;

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
    `T ${niceSize(p.readBytes)} of ${niceSize(p.totalBytes)} read (${percent(p.readBytes, p.totalBytes)}) at ${rate(p.readBytes, elapsed)}`,
    truncatePath(p.currentPath, terminalWidth()),
  ];
}

/** Copy and prune: what was packed anew, what the destination already had, and the file being copied. */
export function repackLines(p: RepackProgress, traffic: Traffic, spin: string): string[] {
  return [...packingLines(p, traffic, spin), downloadLine(traffic), truncatePath(p.currentPath, terminalWidth())];
}

export function restoreLines(p: WriteProgress, traffic: Traffic, spin: string, elapsed: number): string[] {
  return [`${spin} ${p.filesDone} files, ${niceSize(p.bytesWritten)} written at ${rate(p.bytesWritten, elapsed)}`, downloadLine(traffic)];
}

export function checkLines(p: { packs: number; totalPacks: number }, traffic: Traffic, spin: string, elapsed: number): string[] {
  return [`${spin} ${p.packs}/${p.totalPacks} packs (${percent(p.packs, p.totalPacks)}) at ${rate(traffic.downloaded, elapsed)}`, downloadLine(traffic)];
}
