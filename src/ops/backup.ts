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
import { EMPTY_TREE_ID, encodeTree, type Tree } from "../format/tree.ts";
import { compareScan, consume, scanFs, type ScanEvent, type WalkEvent } from "../fs/walk.ts";
import { hashId } from "../kernels/sha224.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { comparePaths, sortedUnique } from "../lib/order.ts";
import { loadMasterIndex } from "../repo/master-index.ts";
import type { Repository } from "../repo/repository.ts";
import { EMPTY_INDEX, findResumable } from "../repo/resume.ts";
import { loadSnapshotsChronologically, snapshotId, storeSnapshot } from "../repo/snapshots.ts";
import { TreeCache, loadForest, type Forest } from "../repo/tree-cache.ts";
import { RepoWriter } from "../repo/writer.ts";
import { startPipeline } from "./pipeline-setup.ts";
import { skipMatcher } from "./skips.ts";
import { walkIntoTrees, type WalkProgress } from "./walk-into-trees.ts";

export interface BackupOptions {
  readonly paths: readonly string[];
  readonly dereference: boolean;
  readonly skips: readonly string[];
  readonly author: string;
  readonly tags: readonly string[];
  readonly dryRun: boolean;
  readonly allowEmpty: boolean;
  readonly allowRepeat: boolean;
  /** The snapshot's time (nanoseconds since the epoch); now if absent. */
  readonly time?: bigint;
  /** Scratch directory for packs, indexes and the WIP index (the working directory). */
  readonly workDir: string;
}

export interface BackupProgress extends WalkProgress {
  /** Bytes of changed files to read (or of all files, before the comparison), and read so far. */
  totalBytes: number;
  readBytes: number;
  chunkBytes: number;
  treeBytes: number;
  compressedBytes: number;
  uploadedBytes: number;
  indexedPacks: number;
}

export type BackupOutcome =
  | { readonly kind: "snapshot"; readonly id: SnapshotId; readonly snapshot: Snapshot }
  | { readonly kind: "nothing" }
  | { readonly kind: "repeat" };

export function newBackupProgress(): BackupProgress {
  return { totalBytes: 0, readBytes: 0, chunkBytes: 0, treeBytes: 0, reusedBytes: 0, compressedBytes: 0, uploadedBytes: 0, indexedPacks: 0, currentPath: "" };
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

/** Pre-flight scans of up to this many entries are kept and replayed, so the backup needn't scan twice. */
const MAX_RECORDED = 262_144;

export interface PreflightResult {
  /** Total bytes of regular files. */
  readonly bytes: number;
  /** The scan, when it was small enough to keep; its files' readability is still to be checked. */
  readonly recorded: ScanEvent[] | undefined;
}

function checkReadable(path: string): void {
  try {
    fs.accessSync(path, fs.constants.R_OK);
  } catch (err) {
    throw new BackpakError("io", `Can't open ${path}`, { cause: err });
  }
}

/**
 * The pre-flight walk: stat everything and read every directory. A scan too large to keep also
 * checks every file can be read; a kept one is checked later, against the parent snapshot, for
 * the files that will be read (`checkChangedReadable`).
 */
export function preflight(paths: readonly string[], dereference: boolean, skip: ((p: string) => boolean) | undefined): PreflightResult {
  log.info(`Walking {${paths.map((p) => JSON.stringify(p)).join(", ")}} to see what we've got...`);
  let bytes = 0;
  let recorded: ScanEvent[] | undefined = [];
  let checked = 0;
  for (const event of scanFs(paths, { dereference, skip })) {
    if (recorded) {
      recorded.push(event);
      if (recorded.length > MAX_RECORDED) {
        for (const e of recorded) if (e.kind === "file") checkReadable(e.entry.path);
        checked = recorded.length;
        recorded = undefined;
      }
    } else if (event.kind === "file") checkReadable(event.entry.path);
    if (event.kind === "file") bytes += event.entry.metadata.size ?? 0;
  }
  return { bytes, recorded: checked === 0 ? recorded : undefined };
}

/** Checks that every file a backup will read (changed since the parent) can be read; returns their total size. */
function checkChangedReadable(events: Iterable<WalkEvent>): number {
  let bytes = 0;
  for (const e of events) {
    if (e.kind !== "file" || (e.unchanged && e.previous)) continue;
    checkReadable(e.entry.path);
    bytes += e.entry.metadata.size ?? 0;
  }
  return bytes;
}

export async function backup(openRepo: () => Repository, opts: BackupOptions, progress: BackupProgress = newBackupProgress()): Promise<BackupOutcome> {
  const paths = canonicalPaths(opts.paths);
  const skip = skipMatcher(opts.skips);
  const failed = (err: unknown): Error => context("io", "Failed FS check prior to backup", err);
  let scan: PreflightResult;
  try {
    scan = preflight(paths, opts.dereference, skip);
  } catch (err) {
    throw failed(err);
  }
  progress.totalBytes = scan.bytes;

  const repo = openRepo();
  const index = await loadMasterIndex(repo.backend);
  log.info("Finding a parent snapshot");
  const snapshots = await loadSnapshotsChronologically(repo.backend);
  const parent = [...snapshots].reverse().find((s) => s.snapshot.paths.length === paths.length && s.snapshot.paths.every((p, i) => p === paths[i]));
  log.debug(parent ? `Using snapshot ${parent.id} as a parent` : "No parent snapshot found based on absolute paths");
  const parentForest: Forest = parent ? await loadForest(parent.snapshot.tree, new TreeCache(repo.backend, index.blobs)) : new Map();
  const previous = parent ? parentForest.get(parent.snapshot.tree) : undefined;
  const rescan = (): Iterable<ScanEvent> => scanFs(paths, { dereference: opts.dereference, skip });
  const compare = (events: Iterable<ScanEvent>): Iterable<WalkEvent> => compareScan(events, previous, (id) => parentForest.get(id));
  if (scan.recorded) {
    try {
      progress.totalBytes = checkChangedReadable(compare(scan.recorded));
    } catch (err) {
      throw failed(err);
    }
  }

  const resumable = await findResumable(opts.workDir, repo.backend);
  const writer = new RepoWriter({
    backend: repo.backend,
    workDir: opts.workDir,
    packSize: repo.config.packSize,
    packed: new Set(index.blobs.keys()),
    start: resumable?.wip ?? EMPTY_INDEX,
    dryRun: opts.dryRun,
  });
  const { pool, pipeline } = startPipeline((frame) => writer.addChunkFrame(frame.entries, frame.bytes));
  const tick = progress.tick;
  progress.tick = () => {
    Object.assign(progress, writer.stats);
    progress.readBytes = pipeline.bytesRead;
    tick?.();
  };
  let root: BlobId;
  try {
    if (resumable && !opts.dryRun) await writer.storeLeftovers(resumable.localPacks);
    log.info("Running backup...");
    root = await walkIntoTrees(compare(scan.recorded ? consume(scan.recorded) : rescan()), pipeline, {
      known: (id) => writer.has(id),
      claim: (id, length) => writer.claim(id, length),
      storeTree: (tree) => storeTree(writer, tree, progress),
    }, progress);
    await writer.finish();
    progress.tick();
  } catch (err) {
    pipeline.abandon();
    writer.abandon();
    throw err;
  } finally {
    pool.close();
  }

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
  const id = opts.dryRun ? snapshotId(snapshot) : await storeSnapshot(repo.backend, snapshot, opts.workDir);
  return { kind: "snapshot", id, snapshot };
}

/** Packs a tree unless it is empty (never packed) or already stored. */
async function storeTree(writer: RepoWriter, tree: Tree, progress: BackupProgress): Promise<BlobId> {
  if (tree.size === 0) return EMPTY_TREE_ID;
  const bytes = encodeTree(tree);
  const id = hashId<"blob">(bytes);
  if (!(await writer.add("tree", id, bytes))) progress.reusedBytes += bytes.length;
  return id;
}
