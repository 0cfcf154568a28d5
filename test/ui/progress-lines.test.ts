/** Progress lines in backpak's layout: packed, reused, compressed and uploaded bytes, packs indexed, downloads, current path. */
import { expect, test } from "bun:test";
import { newBackupProgress } from "../../src/ops/backup.ts";
import { newRepackProgress } from "../../src/ops/repack-writer.ts";
import { backupLines, repackLines } from "../../src/ui/progress-lines.ts";
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

test("backup adds how much of the total it has read, and how fast", () => {
  const p = { ...newBackupProgress(), totalBytes: 1_000_000, readBytes: 250_000, currentPath: "a/b" };
  expect(backupLines(p, traffic, "/", 0.5)).toEqual([
    "/ P 0 B + 0 B | R 0 B | Z 0 B | U 5.00 MB",
    "I 0 packs indexed",
    "D 2.40 MB downloaded",
    "T 250 KB of 1.00 MB read (25%) at 500 KB/s",
    "a/b",
  ]);
});

test("a long path keeps its file name and loses the middle", () => {
  expect(truncatePath("very/long/directory/names/here/file.txt", 20)).toBe("very/long...file.txt");
  expect(truncatePath("short.txt", 20)).toBe("short.txt");
  expect(truncatePath("dir/a-file-name-longer-than-the-width.txt", 12)).toBe("...width.txt");
});
