/**
 * Progress lines in backpak's layout: packed, reused, compressed and uploaded bytes, packs indexed,
 * downloads, current path; for backup and restore, the share of the total done, the time and an ETA.
 */
import { expect, test } from "bun:test";
import { newBackupProgress } from "../../src/ops/backup.ts";
import { newRepackProgress } from "../../src/ops/repack-writer.ts";
import { newWriteProgress } from "../../src/ops/file-writer.ts";
import { backupSummaryLines } from "../../src/ui/backup-summary.ts";
import { backupLines, clock, repackLines, restoreLines } from "../../src/ui/progress-lines.ts";
import { truncatePath } from "../../src/ui/progress.ts";

const traffic = { downloaded: 2_400_000, uploaded: 5_000_000 };

test("copy and prune show what they packed, what was already there, and the file being copied", () => {
  const p = { ...newRepackProgress(), chunkBytes: 12_000_000, treeBytes: 3_000, reusedBytes: 7_000, compressedBytes: 4_500_000, indexedPacks: 3, currentPath: "src/backend/fs.rs" };
  expect(repackLines(p, traffic, "|")).toEqual([
    "| P 12.00 MB + 3 KB | R 7 KB | Z 4.50 MB | U 5.00 MB",
    "i 3 packs indexed",
    "D 2.40 MB downloaded",
    "src/backend/fs.rs",
  ]);
});

test("backup shows how much of the pre-flight walk's total is done, files too, how fast it reads, the time and the ETA", () => {
  // 250 KB read of new files plus 250 KB of unmodified ones (done without reading) of 2 MB, in 1 s.
  const p = { ...newBackupProgress(), walked: true, totalFiles: 10, totalBytes: 2_000_000, readBytes: 250_000, unmodifiedBytes: 250_000, newFiles: 2, unmodifiedFiles: 1, currentPath: "a/b" };
  expect(backupLines(p, traffic, "/", 1)).toEqual([
    "/ P 0 B + 0 B | R 0 B | Z 0 B | U 5.00 MB",
    "I 0 packs indexed",
    "D 2.40 MB downloaded",
    "T 500 KB of 2.00 MB (25%), 3 of 10 files, read at 250 KB/s, 0:01 elapsed, ETA 0:03",
    "a/b",
  ]);
});

test("a stream (backup --stdin) has no total: it shows what was read so far and how fast", () => {
  const p = { ...newBackupProgress(), readBytes: 6_000_000, currentPath: "/db.sql" };
  expect(backupLines(p, traffic, "|", 2).slice(3)).toEqual(["T 6.00 MB read so far at 3.00 MB/s, 0:02 elapsed", "/db.sql"]);
});

test("until the pre-flight walk ends there is no total; before anything is done the ETA is unknown, and once all is done it is zero", () => {
  expect(backupLines(newBackupProgress(), traffic, "|", 3)[3]).toBe("T walking the paths to see what there is, 0:03 elapsed");
  const start = { ...newBackupProgress(), walked: true, totalFiles: 4, totalBytes: 1_000 };
  expect(backupLines(start, traffic, "|", 0)[3]).toBe("T 0 B of 1 KB (0%), 0 of 4 files, read at 0 B/s, 0:00 elapsed, ETA -:--");
  const end = { ...start, readBytes: 1_000, changedFiles: 4 };
  expect(backupLines(end, traffic, "|", 3)[3]).toBe("T 1 KB of 1 KB (100%), 4 of 4 files, read at 333 B/s, 0:03 elapsed, ETA 0:00");
});

test("restore shows files and bytes written of the total, with the time and the ETA", () => {
  const p = { ...newWriteProgress(), totalFiles: 8, totalBytes: 4_000_000, filesDone: 2, bytesWritten: 1_000_000 };
  expect(restoreLines(p, traffic, "-", 10)).toEqual([
    "- 2 of 8 files, 1.00 MB of 4.00 MB written (25%) at 100 KB/s, 0:10 elapsed, ETA 0:30",
    "D 2.40 MB downloaded",
  ]);
});

test("durations read as m:ss, and h:mm:ss from an hour on", () => {
  expect([clock(0), clock(59.4), clock(61), clock(3599), clock(3600), clock(36_000 + 62)]).toEqual(["0:00", "0:59", "1:01", "59:59", "1:00:00", "10:01:02"]);
});

test("a backup ends with what it found, read and added", () => {
  const p = { ...newBackupProgress(), newFiles: 5, changedFiles: 2, unmodifiedFiles: 100, totalBytes: 2_600_000_000, readBytes: 125_000_000, chunkBytes: 12_000_000, treeBytes: 5_000, compressedBytes: 4_500_000 };
  expect(backupSummaryLines(p, 12, false)).toEqual([
    "Files: 5 new, 2 changed, 100 unmodified",
    "Read 125.00 MB of 2.60 GB in 0:12",
    "Added to the repository: 12.01 MB (4.50 MB stored)",
  ]);
  expect(backupSummaryLines(p, 12, true)[2]).toBe("Would add to the repository: 12.01 MB (4.50 MB stored)");
});

test("a long path keeps its file name and loses the middle", () => {
  expect(truncatePath("very/long/directory/names/here/file.txt", 20)).toBe("very/long...file.txt");
  expect(truncatePath("short.txt", 20)).toBe("short.txt");
  expect(truncatePath("dir/a-file-name-longer-than-the-width.txt", 12)).toBe("...width.txt");
});
