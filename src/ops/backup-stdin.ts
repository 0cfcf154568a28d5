/**
 * `backup --stdin NAME`: stores a stream (standard input) as one file named NAME, chunked,
 * hashed and packed as it arrives, so memory stays bounded whatever its size. The snapshot's path
 * is /NAME, as restic's: the tree holds NAME at its root like any backed-up path, and the file
 * gets mode 0644, the time of the backup and this process's uid and gid.
 */
import type { Node } from "../format/tree.ts";
import { nowNs } from "../format/time.ts";
import { log } from "../lib/log.ts";
import { GcSchedule } from "../pipeline/gc-schedule.ts";
import { loadMasterIndex, loadSnapshots, openRepoWriter, type Repository, resumeStart } from "../repo/index.ts";
import { finishSnapshot, type BackupOutcome, type BackupProgress, type SnapshotOptions } from "./backup.ts";
import { chunkBlocks } from "./chunk-blocks.ts";

export interface StdinBackupOptions extends SnapshotOptions {
  /** The file's name in the snapshot: one path component (checked by the caller). */
  readonly name: string;
}

export async function backupStdin(
  openRepo: () => Promise<Repository>,
  input: AsyncIterable<Uint8Array>,
  opts: StdinBackupOptions,
  progress: BackupProgress,
): Promise<BackupOutcome> {
  const snapshotPath = `/${opts.name}`;
  const repo = await openRepo();
  // Snapshots before indexes: a concurrent backup's snapshot is stored after its index.
  const snapshots = (await loadSnapshots(repo.backend)).chronological;
  const index = await loadMasterIndex(repo.backend);
  const writer = await openRepoWriter(repo, { scratchDir: opts.scratchDir, dryRun: opts.dryRun, packed: index.blobs, ...(await resumeStart(repo, opts.scratchDir)) });
  try {
    log.info(`Reading standard input into ${opts.name}...`);
    const time = nowNs();
    progress.currentPath = snapshotPath;
    const gc = new GcSchedule();
    const counted = async function* (): AsyncGenerator<Uint8Array> {
      for await (const block of input) {
        yield block;
        progress.readBytes += block.length;
        gc.add(block.length);
        Object.assign(progress, writer.stats);
        progress.tick?.();
      }
    };
    const { chunks, size } = await chunkBlocks(counted(), (id, bytes) => writer.add("chunk", id, bytes));
    const node: Node = {
      contents: { kind: "file", chunks },
      metadata: { type: "posix", mode: 0o100644, size, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, atime: time, mtime: time },
    };
    const { id: root } = await writer.storeTree(new Map([[opts.name, node]]));
    await writer.finish();
    progress.walked = true;
    progress.totalFiles = progress.newFiles = 1;
    progress.totalBytes = size;
    Object.assign(progress, writer.stats);
    progress.tick?.();
    return await finishSnapshot(repo, root, [snapshotPath], snapshots, { ...opts, allowEmpty: true });
  } catch (err) {
    writer.abandon();
    throw err;
  }
}
