/**
 * A read-only disk with a file whose reads fail with EIO: a squashfs image (squashfs-tools) whose
 * compressed data of that file is overwritten, loop-mounted (needs root). The other files, kept in
 * the image's fragment block, still read.
 */
import fs from "node:fs";
import path from "node:path";
import { canMount, unmount } from "./tmpfs.ts";
import { tempDir } from "./tmp.ts";

/** Whether this process can make and mount such a disk. */
export const canMountFailingDisk = canMount && Bun.which("mksquashfs") !== null;

/**
 * Runs `body` on a mounted disk holding `good` (name to contents, small files) and `broken`, a
 * file of compressible text whose reads fail with EIO; unmounts it however `body` ends.
 */
export function withFailingDisk(label: string, good: Readonly<Record<string, string>>, broken: string, body: (disk: string) => void): void {
  const src = tempDir(`${label}-src`);
  for (const [name, text] of Object.entries(good)) fs.writeFileSync(path.join(src, name), text);
  fs.writeFileSync(path.join(src, broken), Array.from({ length: 20_000 }, (_, i) => `line ${i} of text that compresses well\n`).join(""));
  const image = path.join(tempDir(`${label}-image`), "disk.squashfs");
  const made = Bun.spawnSync(["mksquashfs", src, image, "-comp", "gzip", "-noappend", "-quiet", "-no-progress"], { stderr: "pipe" });
  if (made.exitCode !== 0) throw new Error(`mksquashfs failed: ${made.stderr.toString()}`);
  // The broken file's blocks come first, right after the 96-byte superblock; the fragments and tables come after them.
  const fd = fs.openSync(image, "r+");
  fs.writeSync(fd, Buffer.alloc(4000, 0xff), 0, 4000, 1000);
  fs.closeSync(fd);
  const disk = path.join(tempDir(`${label}-mount`), "disk");
  fs.mkdirSync(disk);
  const mounted = Bun.spawnSync(["mount", "-t", "squashfs", "-o", "loop,ro", image, disk], { stderr: "pipe" });
  if (mounted.exitCode !== 0) throw new Error(`couldn't mount ${image}: ${mounted.stderr.toString()}`);
  try {
    body(disk);
  } finally {
    unmount(disk);
  }
}
