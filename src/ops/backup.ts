/**
 * `backup`: check the paths can be read, then walk them against the parent snapshot; changed
 * files are chunked, hashed and (when new) compressed on the worker pipeline and packed; the
 * index is stored, and finally the snapshot.
 */
import fs from "node:fs";
import path from "node:path";
import type { BlobId, SnapshotId } from "../format/id.ts";
import { makeSnapshot, sameButTime, type Snapshot } from "../format/snapshot.ts";
import { nowNs, systemZone } from "../format/time.ts";
import { EMPTY_TREE_ID, type Tree } from "../format/tree.ts";
import type { ExcludeSpec } from "../fs/excludes.ts";
import { compareScan, type WalkEvent } from "../fs/walk.ts";
import type { WorkerPool } from "../pipeline/pool.ts";
import { ScanJob, replayScan, type ScanLog } from "../pipeline/scan-log.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { comparePaths, sortedUnique } from "../lib/order.ts";
import { type KnownBlobs, loadMasterIndex, loadSnapshots, PipelinedWriter, type Repository, snapshotId, type StoredSnapshot, storeSnapshot, TreeCache } from "../repo/index.ts";
import { startBackupPool } from "../pipeline/pipeline-setup.ts";
import { skipMatcher } from "../fs/skips.ts";
import { IndexedFilesOnly } from "./unindexed-files.ts";
import { newWalkProgress, walkIntoTrees, type WalkProgress } from "./walk-into-trees.ts";
import { plural } from "../lib/plural.ts";

export interface BackupOptions {
  readonly paths: readonly string[];
  readonly dereference: boolean;
  readonly skips: readonly string[];
  /** What the walk leaves out besides `skips` (patterns already checked by the caller). */
  readonly excludes: ExcludeSpec;
  readonly author: string;
  readonly tags: readonly string[];
  readonly dryRun: boolean;
  readonly allowEmpty: boolean;
  readonly allowRepeat: boolean;
  /** False when the repository is created on first use (then it is opened only after the scan passed). */
  readonly repositoryExists: boolean;
  /** The snapshot's time (nanoseconds since the epoch); now if absent. */
  readonly time?: bigint;
  /** Store what can be read when some entries can't be, warning about each (otherwise nothing is stored). */
  readonly skipUnreadable: boolean;
  /** This run's scratch directory for packs, indexes and the WIP index (see openRunDir). */
  readonly scratchDir: string;
}

/** What the snapshot itself takes from the options. */
export type SnapshotOptions = Pick<BackupOptions, "author" | "tags" | "dryRun" | "allowEmpty" | "allowRepeat" | "time" | "scratchDir">;

export interface BackupProgress extends WalkProgress {
  /** Whether the pre-flight walk ended, and the files it found and the sum of their sizes. */
  walked: boolean;
  totalFiles: number;
  totalBytes: number;
  /** Bytes of new and changed files read so far. */
  readBytes: number;
  chunkBytes: number;
  treeBytes: number;
  compressedBytes: number;
  uploadedBytes: number;
  indexedPacks: number;
  /** Entries that couldn't be read (found so by the scan, or files failing with EIO), left out with --skip-unreadable. */
  skippedEntries: number;
}

export type BackupOutcome =
  | { readonly kind: "snapshot"; readonly id: SnapshotId; readonly snapshot: Snapshot }
  | { readonly kind: "nothing" }
  | { readonly kind: "repeat" };

export function newBackupProgress(): BackupProgress {
  return { ...newWalkProgress(), walked: false, totalFiles: 0, totalBytes: 0, readBytes: 0, chunkBytes: 0, treeBytes: 0, compressedBytes: 0, uploadedBytes: 0, indexedPacks: 0, skippedEntries: 0 };
}

/** Resolves the paths to back up: absolute, symlinks resolved, sorted, with distinct last components. */
export function canonicalPaths(paths: readonly string[]): string[] {
  const out = sortedUnique(
    paths.map((p) => {
      try {
        return fs.realpathSync(p);
      } catch (err) {
        throw new BackpakError("not-found", `Couldn't canonicalize ${p}`, { cause: err });
      }
    }),
    comparePaths,
  );
  const names = new Set<string>();
  for (const p of out) {
    const name = path.basename(p);
    if (name === "") throw new BackpakError("usage", `Can't back up ${p} itself: snapshots name each path by its last component`, { hint: "back up the directories under it instead" });
    if (names.has(name)) {
      throw new BackpakError("usage", `Backups of directories with matching names (${name}/) isn't currently supported`, {
        hint: "back up their common parent instead, with --skip for what you don't want",
      });
    }
    names.add(name);
  }
  return out;
}

export async function backup(openRepo: () => Promise<Repository>, opts: BackupOptions, progress: BackupProgress = newBackupProgress()): Promise<BackupOutcome> {
  const paths = canonicalPaths(opts.paths);
  skipMatcher(opts.skips); // bad patterns fail here, before anything starts
  const { pool, inputBytes } = startBackupPool();
  let scanLog: ScanLog | undefined;
  try {
    // The pre-flight scan runs on a worker while the repository loads; nothing is written until it passed.
    log.info(`Walking {${paths.map((p) => JSON.stringify(p)).join(", ")}} to see what we've got...`);
    const scan = new ScanJob(pool, paths, { dereference: opts.dereference, skips: opts.skips, excludes: opts.excludes }, 0, inputBytes, opts.scratchDir);
    const scanned = async (): Promise<ScanLog> => {
      try {
        scanLog = await scan.finish();
        skipUnreadable(scan.unreadable, opts, progress);
        progress.walked = true;
        progress.totalFiles = scan.files;
        progress.totalBytes = scan.bytes;
        return scanLog;
      } catch (err) {
        throw context("io", "Failed FS check prior to backup", err);
      }
    };
    // A repository that doesn't exist yet is only created once the scan passed.
    if (!opts.repositoryExists) await scanned();
    const repo = await openRepo();
    log.info("Finding a parent snapshot");
    // A damaged snapshot is warned about and can't be a parent; the newest readable one is.
    // Snapshots before indexes: a concurrent backup's snapshot is stored after its index.
    const snapshots = (await loadSnapshots(repo.backend)).chronological;
    const index = await loadMasterIndex(repo.backend);
    const parent = [...snapshots].reverse().find((s) => s.snapshot.paths.length === paths.length && s.snapshot.paths.every((p, i) => p === paths[i]));
    log.debug(parent ? `Using snapshot ${parent.id} as a parent` : "No parent snapshot found based on absolute paths");
    // The parent's trees are read directory by directory as the walk enters them, through a bounded cache.
    const parentTrees = new TreeCache(repo.backend, index.blobs);
    const indexedOnly = new IndexedFilesOnly(index.blobs);
    const previousTree = (id: BlobId): Tree | Promise<Tree> => {
      const hit = parentTrees.peek(id);
      return hit ? indexedOnly.tree(id, hit) : parentTrees.tree(id).then((t) => indexedOnly.tree(id, t));
    };
    const events = compareScan(replayScan(scanLog ?? (await scanned())), parent ? await previousTree(parent.snapshot.tree) : undefined, previousTree);
    const root = await packTrees(repo, index.blobs, events, pool, inputBytes, opts, progress);
    indexedOnly.report();
    return await finishSnapshot(repo, root, paths, snapshots, opts);
  } finally {
    scanLog?.close();
    pool.close();
  }
}

type Unreadable = { readonly path: string; readonly why: string };

/** The error that stops a backup without --skip-unreadable, listing every entry it couldn't read. */
function unreadableError(entries: readonly Unreadable[]): BackpakError {
  const n = entries.length;
  return new BackpakError("io", `Can't read ${plural(n, "entry", "entries")}, so no snapshot was stored:\n  ${entries.map(describeUnreadable).join("\n  ")}`, {
    hint: "fix their permissions or names, leave them out with --exclude, or pass --skip-unreadable to store the rest (exit status 3)",
  });
}

const describeUnreadable = (e: Unreadable): string => `${e.path} (${e.why})`;

/** Stops the backup over unreadable entries, or with --skip-unreadable warns about each and counts it. */
function skipUnreadable(entries: readonly Unreadable[], opts: BackupOptions, progress: BackupProgress): void {
  if (entries.length === 0) return;
  if (!opts.skipUnreadable) throw unreadableError(entries);
  for (const e of entries) log.warn(`Skipping unreadable ${describeUnreadable(e)}`);
  progress.skippedEntries += entries.length;
}

/** Walks the compared scan through the pipeline, packing what is new; returns the root tree. */
async function packTrees(
  repo: Repository,
  stored: KnownBlobs,
  events: AsyncIterable<readonly WalkEvent[]>,
  pool: WorkerPool,
  inputBytes: number,
  opts: BackupOptions,
  progress: BackupProgress,
): Promise<BlobId> {
  const out = await PipelinedWriter.resuming(repo, { scratchDir: opts.scratchDir, dryRun: opts.dryRun, packed: stored, pool: { pool, inputBytes } });
  const { writer, pipeline } = out;
  const tick = progress.tick;
  progress.tick = () => {
    Object.assign(progress, writer.stats);
    progress.readBytes = pipeline.bytesRead;
    tick?.();
  };
  log.info("Running backup...");
  let root: BlobId;
  try {
    root = await walkIntoTrees(events, pipeline, {
      known: (digest) => writer.hasDigest(digest),
      claim: (digest, length) => writer.claim(digest, length),
      add: (id, bytes) => writer.add("chunk", id, bytes),
      unreadable: (path, why) => skipUnreadable([{ path, why }], opts, progress),
      storeTree: async (tree) => {
        const { id, fresh, bytes } = await writer.storeTree(tree);
        if (!fresh) progress.reusedBytes += bytes;
        return id;
      },
    }, progress);
  } catch (err) {
    out.abandon();
    throw err;
  }
  await out.finish();
  progress.tick();
  return root;
}

/** Stores the snapshot unless it would be empty or a repeat of the last one. */
export async function finishSnapshot(repo: Repository, root: BlobId, paths: string[], snapshots: readonly StoredSnapshot[], opts: SnapshotOptions): Promise<BackupOutcome> {
  if (root === EMPTY_TREE_ID && !opts.allowEmpty) {
    log.info("Nothing backed up! Pass --allow-empty to create an empty snapshot.");
    return { kind: "nothing" };
  }
  const snapshot = makeSnapshot({ time: opts.time ?? nowNs(), tz: systemZone(), author: opts.author, tags: opts.tags, paths, tree: root });
  const last = snapshots[snapshots.length - 1];
  if (last && sameButTime(last.snapshot, snapshot) && !opts.allowRepeat) {
    log.info("Snapshot is the same as the last! Pass --allow-repeat to create a duplicate.");
    return { kind: "repeat" };
  }
  const id = opts.dryRun ? snapshotId(snapshot) : await storeSnapshot(repo, snapshot, opts.scratchDir);
  return { kind: "snapshot", id, snapshot };
}

