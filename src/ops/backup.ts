/**
 * `backup`: check the paths can be read, then walk them against the parent snapshot, chunk and
 * hash changed files, pack what is new, store the index, and finally the snapshot.
 */
import fs from "node:fs";
import path from "node:path";
import type { BlobId, SnapshotId } from "../format/id.ts";
import { makeSnapshot, sameButTime, type Snapshot } from "../format/snapshot.ts";
import { nowNs, systemZone } from "../format/time.ts";
import { EMPTY_TREE_ID, encodeTree, type Node, type Tree } from "../format/tree.ts";
import { chunkFile } from "../fs/chunk-file.ts";
import { walkFs, type WalkHandlers } from "../fs/walk.ts";
import { createChunker, type Chunker } from "../kernels/fastcdc/index.ts";
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
import { skipMatcher } from "./skips.ts";

export interface BackupOptions {
  readonly paths: readonly string[];
  readonly dereference: boolean;
  readonly skips: readonly string[];
  readonly author: string;
  readonly tags: readonly string[];
  readonly dryRun: boolean;
  readonly allowEmpty: boolean;
  readonly allowRepeat: boolean;
  /** Scratch directory for packs, indexes and the WIP index (the working directory). */
  readonly workDir: string;
}

export interface BackupProgress {
  chunkBytes: number;
  treeBytes: number;
  reusedBytes: number;
  compressedBytes: number;
  uploadedBytes: number;
  indexedPacks: number;
  currentPath: string;
}

export type BackupOutcome =
  | { readonly kind: "snapshot"; readonly id: SnapshotId; readonly snapshot: Snapshot }
  | { readonly kind: "nothing" }
  | { readonly kind: "repeat" };

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

/** The pre-flight walk: stat everything, read every directory, open every file. Returns total file bytes. */
export async function checkPaths(paths: readonly string[], dereference: boolean, skip: ((p: string) => boolean) | undefined): Promise<number> {
  log.info(`Walking {${paths.map((p) => JSON.stringify(p)).join(", ")}} to see what we've got...`);
  let bytes = 0;
  const handlers: WalkHandlers<null, null> = {
    begin: () => null,
    visit: async (_acc, entry, what) => {
      if (what.kind !== "file") return;
      try {
        fs.closeSync(fs.openSync(entry.path, "r"));
      } catch (err) {
        throw new BackpakError("io", `Can't open ${entry.path}`, { cause: err });
      }
      bytes += entry.metadata.size ?? 0;
    },
    finish: async () => null,
  };
  await walkFs(paths, undefined, { dereference, ...(skip ? { skip } : {}), previousTree: () => undefined }, handlers);
  return bytes;
}

export async function backup(openRepo: () => Repository, opts: BackupOptions, progress: BackupProgress = newBackupProgress()): Promise<BackupOutcome> {
  const paths = canonicalPaths(opts.paths);
  const skip = skipMatcher(opts.skips);
  try {
    await checkPaths(paths, opts.dereference, skip);
  } catch (err) {
    throw context("io", "Failed FS check prior to backup", err);
  }

  const repo = openRepo();
  const index = await loadMasterIndex(repo.backend);
  log.info("Finding a parent snapshot");
  const snapshots = await loadSnapshotsChronologically(repo.backend);
  const parent = [...snapshots].reverse().find((s) => s.snapshot.paths.length === paths.length && s.snapshot.paths.every((p, i) => p === paths[i]));
  log.debug(parent ? `Using snapshot ${parent.id} as a parent` : "No parent snapshot found based on absolute paths");
  const trees = new TreeCache(repo.backend, index.blobs);
  const parentForest: Forest = parent ? await loadForest(parent.snapshot.tree, trees) : new Map();

  const resumable = await findResumable(opts.workDir, repo.backend);
  const writer = new RepoWriter({
    backend: repo.backend,
    workDir: opts.workDir,
    packSize: repo.config.packSize,
    packed: new Set(index.blobs.keys()),
    start: resumable?.wip ?? EMPTY_INDEX,
    dryRun: opts.dryRun,
  });
  const sync = (): void => {
    Object.assign(progress, writer.stats);
  };
  let root: BlobId;
  try {
    if (resumable && !opts.dryRun) await writer.storeLeftovers(resumable.localPacks);
    log.info("Running backup...");
    const chunker = createChunker("wasm");
    const handlers = backupHandlers(writer, chunker, progress, sync);
    const previous = parent ? parentForest.get(parent.snapshot.tree) : undefined;
    root = await walkFs(paths, previous, { dereference: opts.dereference, ...(skip ? { skip } : {}), previousTree: (id) => parentForest.get(id) }, handlers);
    await writer.finish();
    sync();
  } catch (err) {
    writer.abandon();
    throw err;
  }

  if (root === EMPTY_TREE_ID && !opts.allowEmpty) {
    log.info("Nothing backed up! Pass --allow-empty to create an empty snapshot.");
    return { kind: "nothing" };
  }
  const snapshot = makeSnapshot({ time: nowNs(), tz: systemZone(), author: opts.author, tags: opts.tags, paths, tree: root });
  const last = snapshots[snapshots.length - 1];
  if (last && sameButTime(last.snapshot, snapshot) && !opts.allowRepeat) {
    log.info("Snapshot is the same as the last! Pass --allow-repeat to create a duplicate.");
    return { kind: "repeat" };
  }
  const id = opts.dryRun ? snapshotId(snapshot) : await storeSnapshot(repo.backend, snapshot, opts.workDir);
  return { kind: "snapshot", id, snapshot };
}

export function newBackupProgress(): BackupProgress {
  return { chunkBytes: 0, treeBytes: 0, reusedBytes: 0, compressedBytes: 0, uploadedBytes: 0, indexedPacks: 0, currentPath: "" };
}

const pad9 = (s: string): string => s.padStart(9);

/** How backup turns walked entries into nodes and directories into stored trees. */
function backupHandlers(writer: RepoWriter, chunker: Chunker, progress: BackupProgress, sync: () => void): WalkHandlers<BlobId, Map<string, Node>> {
  return {
    begin: () => new Map(),
    visit: async (tree, entry, what) => {
      progress.currentPath = entry.path;
      let node: Node;
      switch (what.kind) {
        case "dir":
          log.debug(`${pad9("finished")} ${entry.path}/`);
          node = { contents: { kind: "dir", tree: what.result }, metadata: entry.metadata };
          break;
        case "symlink":
          log.debug(`${pad9("symlink")} ${entry.path}`);
          node = { contents: { kind: "symlink", target: what.target }, metadata: entry.metadata };
          break;
        case "file":
          if (what.unchanged && entry.previous) {
            log.debug(`${pad9("unchanged")} ${entry.path}`);
            progress.reusedBytes += entry.metadata.size ?? 0;
            node = { contents: entry.previous.contents, metadata: entry.metadata };
          } else {
            const chunks: BlobId[] = [];
            let fresh = false;
            for (const c of chunkFile(entry.path, chunker, entry.metadata.size ?? 0)) {
              chunks.push(c.id);
              if (await writer.add("chunk", c.id, c.bytes)) fresh = true;
              else progress.reusedBytes += c.bytes.length;
            }
            sync();
            const plural = chunks.length === 1 ? "chunk" : "chunks";
            log.debug(`${pad9(fresh ? "backup" : "deduped")} ${entry.path} (${chunks.length} ${plural})`);
            node = { contents: { kind: "file", chunks }, metadata: entry.metadata };
          }
          break;
      }
      tree.set(entry.name, node);
    },
    finish: async (tree: Tree) => {
      if (tree.size === 0) return EMPTY_TREE_ID;
      const bytes = encodeTree(tree);
      const id = hashId<"blob">(bytes);
      if (!(await writer.add("tree", id, bytes))) progress.reusedBytes += bytes.length;
      sync();
      return id;
    },
  };
}
