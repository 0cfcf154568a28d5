/**
 * `restore`: compare the destination on disk (old) with the snapshot (new) and make the disk match,
 * reporting each change with diff's codes at the destination paths. What it can't restore (a file
 * whose pack is missing or damaged, a directory it won't replace without --delete) it names, and
 * then fails, having restored everything else.
 */
import fs from "node:fs";
import path from "node:path";
import type { BlobId, SnapshotId } from "../format/id.ts";
import { encodeTree, type Node, type Tree } from "../format/tree.ts";
import { applyMetadata, makeDir, makeSymlink, removeNode } from "../fs/apply.ts";
import type { RestoreFilter } from "../fs/restore-filter.ts";
import { hashId } from "../kernels/sha224.ts";
import { BackpakError, withContext } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { yieldPoint } from "../lib/yield-point.ts";
import { checkSnapshotLayout, findSnapshot, type Forest, forestTree, layoutForest, type Repository, walkNode } from "../repo/index.ts";
import { compareTrees, type CompareCallbacks } from "./compare.ts";
import { FileWriter, type UnwrittenFile, type WriteProgress } from "./file-writer.ts";
import { forestFromFs } from "./fs-forest.ts";
import { startBlobPool } from "../pipeline/pipeline-setup.ts";
import { loadRepository, snapshotWithForest, type LoadedRepository } from "./open.ts";
import { refuseNonDirectoriesBetween } from "./nested-paths.ts";
import { removeSelected, type SelectedRemoval } from "./restore-removal.ts";
import { failIfIncomplete } from "./restore-report.ts";
import { scanSkip, selectView, type RestoreSelection, type SnapshotView } from "./restore-select.ts";

export interface RestoreOptions {
  readonly snapshot: string;
  /** Restore here instead of the snapshot's own paths (created if missing). */
  readonly output?: string;
  readonly dryRun: boolean;
  readonly delete: boolean;
  readonly times: boolean;
  readonly permissions: boolean;
  /** Told of each change, at its destination path, before it is made (the CLI prints them). */
  readonly report: CompareCallbacks;
  /** Restore only part of the snapshot (restore-select.ts). */
  readonly select?: RestoreSelection;
}

const debugSet = (paths: readonly string[]): string => `{${paths.map((p) => JSON.stringify(p)).join(", ")}}`;

interface Destination {
  /** The tree of what is on disk now, keyed by the snapshot's top-level names. */
  readonly fs: [BlobId, Forest];
  /** Top-level name → where it goes on disk. */
  readonly map: Map<string, string>;
}

async function destination(id: SnapshotId, paths: readonly string[], forest: Forest, root: BlobId, output: string | undefined, filter: RestoreFilter | undefined): Promise<Destination> {
  const map = new Map<string, string>();
  const snapshotTop = forestTree(forest, root);
  const from = new Map(paths.map((p) => [path.basename(p), p]));
  /** What the scan of the disk leaves out: with patterns, what they can't select (`roots`: a top-level path on disk → its snapshot name). */
  const skip = (roots: Iterable<[string, string]>): ((p: string) => boolean) | undefined =>
    filter && scanSkip(filter, new Map([...roots].map(([disk, name]) => [disk, from.get(name)!])));
  if (output === undefined) {
    log.info(`Restoring snapshot ${id} to its paths, ${debugSet(paths)}`);
    for (const p of paths) map.set(path.basename(p), p);
    refuseNonDirectoriesBetween(paths);
    // A top-level path that is gone is simply restored afresh.
    return { fs: await forestFromFs(paths.filter((p) => fs.existsSync(p)), snapshotTop, forest, skip([...map].map(([name, p]) => [p, name]))), map };
  }
  log.info(`Comparing snapshot ${id} to ${output}`);
  const name = path.basename(paths[0] ?? "");
  const oneDir = paths.length === 1 && snapshotTop.get(name)?.contents.kind === "dir";
  // One directory: its contents go straight into the output directory. Several paths, or one file
  // or symlink: each goes into the output directory under its name.
  if (oneDir) map.set(name, output);
  else for (const p of paths) map.set(path.basename(p), path.join(output, path.basename(p)));
  fs.mkdirSync(output, { recursive: true });
  if (oneDir) {
    const dir = fs.realpathSync(output);
    const previous = snapshotTop.get(name);
    const [fsRoot, fsForest] = await forestFromFs([dir], previous && new Map([[path.basename(dir), previous]]), forest, skip([[dir, name]]));
    const top = new Map(forestTree(fsForest, fsRoot)) as Map<string, Node>;
    const node = top.get(path.basename(dir))!;
    top.delete(path.basename(dir));
    top.set(name, node);
    const id2 = hashId<"blob">(encodeTree(top));
    return { fs: [id2, new Map([...fsForest, [id2, top as Tree]])], map };
  }
  return { fs: await forestFromFs([...map.values()].filter((p) => fs.existsSync(p)), snapshotTop, forest, skip([...map].map(([name, p]) => [p, name]))), map };
}

/** Restores the snapshot `opts.snapshot` names; returns its ID. */
export async function restore(repo: Repository, opts: RestoreOptions, progress?: WriteProgress): Promise<SnapshotId> {
  const loaded = await loadRepository(repo);
  const writer = new FileWriter(repo, loaded.index, { times: opts.times, permissions: opts.permissions }, progress);
  const { id, refused } = await plan(loaded, opts, writer);
  let unwritten: UnwrittenFile[] = [];
  if (!opts.dryRun) {
    Bun.gc(true);
    const { pool, ringBytes } = startBlobPool();
    try {
      unwritten = await writer.finish(pool, ringBytes);
    } finally {
      pool.close();
    }
  }
  failIfIncomplete(refused, unwritten);
  return id;
}

/**
 * Compares, makes directories and symlinks, and queues files; the trees are garbage once it
 * returns. Returns the snapshot's ID and how many directories it refused to replace.
 */
async function plan(loaded: LoadedRepository, opts: RestoreOptions, writer: FileWriter): Promise<{ id: SnapshotId; refused: number }> {
  const [id, view] = await snapshotView(loaded, opts);
  const filter = opts.select?.filter;
  // SNAPSHOT:PATH back in place: the directories above PATH are made if they are gone, as `mkdir -p` would.
  if (opts.select?.subPath !== undefined && opts.output === undefined && !opts.dryRun) {
    const above = path.dirname(view.paths[0]!);
    withContext(`Couldn't create ${above}`, () => fs.mkdirSync(above, { recursive: true }));
  }
  const dest = await destination(id, view.paths, view.forest, view.root, opts.output, filter);
  const restorer = new Restorer(dest.map, writer, opts);
  if (filter) {
    const from = new Map(view.paths.map((p) => [path.basename(p), p]));
    restorer.removal = { filter, dest: (p) => translate(dest.map, p), abs: (p) => translate(from, p), dryRun: opts.dryRun, report: opts.report };
  }
  await compareTrees(dest.fs, [view.root, view.forest], "", restorer);
  return { id, refused: restorer.refused };
}

/** The snapshot as a whole, or the part of it `opts.select` asks for (nothing is written before it is known). */
async function snapshotView(loaded: LoadedRepository, opts: RestoreOptions): Promise<[SnapshotId, SnapshotView]> {
  if (!opts.select) {
    const { stored, forest } = await snapshotWithForest(loaded, opts.snapshot);
    checkSnapshotLayout(stored, forest);
    return [stored.id, { paths: stored.snapshot.paths, root: stored.snapshot.tree, forest }];
  }
  const stored = findSnapshot(loaded.snapshots, opts.snapshot);
  checkSnapshotLayout(stored, await layoutForest(stored, loaded.trees));
  return [stored.id, await selectView(stored, loaded.trees, opts.select)];
}

/** A path in the snapshot ("top/a/b") → where `map` puts its top-level name. */
function translate(map: ReadonlyMap<string, string>, p: string): string {
  const slash = p.indexOf("/");
  const top = slash < 0 ? p : p.slice(0, slash);
  const to = map.get(top);
  if (to === undefined) throw new BackpakError("internal", `No destination for ${top}`);
  return slash < 0 ? to : path.join(to, p.slice(slash + 1));
}

/**
 * Applies each difference to disk (unless dry-running) and reports it. Removals, directories and
 * symlinks happen at once; file contents and directory metadata go to the file writer.
 */
class Restorer implements CompareCallbacks {
  readonly #printer: CompareCallbacks;
  /** Directories left in place of something else because --delete wasn't given. */
  refused = 0;
  /** In a partial restore, --delete deletes only what the patterns select. */
  removal: SelectedRemoval | undefined;
  constructor(
    readonly map: Map<string, string>,
    readonly files: FileWriter,
    readonly opts: RestoreOptions,
  ) {
    this.#printer = opts.report;
  }

  #translate(p: string): string {
    return translate(this.map, p);
  }

  async added(p: string, node: Node, forest: Forest): Promise<void> {
    const dest = this.#translate(p);
    await this.#printer.added(dest, node, forest);
    if (!this.opts.dryRun) await this.#add(dest, node, forest);
  }

  async removed(p: string, node: Node, forest: Forest): Promise<void> {
    if (!this.opts.delete) return;
    if (this.removal) return removeSelected(p, node, forest, this.removal);
    const dest = this.#translate(p);
    await this.#printer.removed(dest, node, forest);
    if (!this.opts.dryRun) removeNode(dest, node.contents.kind === "dir");
  }

  async contentsChanged(p: string, oldNode: Node, newNode: Node): Promise<void> {
    const dest = this.#translate(p);
    await this.#printer.contentsChanged(dest, oldNode, newNode);
    if (this.opts.dryRun) return;
    if (newNode.contents.kind === "file") {
      this.files.file(dest, newNode, true);
    } else if (newNode.contents.kind === "symlink") {
      removeNode(dest, false);
      makeSymlink(newNode.contents.target, dest);
    }
  }

  async metadataChanged(p: string, oldNode: Node, newNode: Node): Promise<void> {
    const dest = this.#translate(p);
    await this.#printer.metadataChanged(dest, oldNode, newNode);
    if (this.opts.dryRun) return;
    if (newNode.contents.kind === "dir") this.files.dir(dest, newNode);
    else this.#metadata(dest, newNode);
  }

  async typeChanged(p: string, oldNode: Node, oldForest: Forest, newNode: Node, newForest: Forest): Promise<void> {
    const dest = this.#translate(p);
    if (oldNode.contents.kind === "dir" && !this.opts.delete) {
      log.error(`Won't replace dir ${dest} with ${newNode.contents.kind} without --delete`);
      this.refused++;
      return;
    }
    await this.#printer.removed(dest, oldNode, oldForest);
    await this.#printer.added(dest, newNode, newForest);
    if (this.opts.dryRun) return;
    removeNode(dest, oldNode.contents.kind === "dir");
    await this.#add(dest, newNode, newForest);
  }

  #metadata(dest: string, node: Node): void {
    applyMetadata(dest, node, { times: this.opts.times, permissions: this.opts.permissions });
  }

  /** Creates the node at `dest` and everything beneath it; a directory's metadata is queued after its contents. */
  async #add(dest: string, node: Node, forest: Forest): Promise<void> {
    for (const [p, n, exit] of walkNode(dest, node, forest, { exits: true })) {
      await yieldPoint();
      const c = n.contents;
      // A new symlink keeps the time it was made at, as in backpak.
      if (exit) this.files.dir(p, n);
      else if (c.kind === "file") this.files.file(p, n, false);
      else if (c.kind === "symlink") makeSymlink(c.target, p);
      else makeDir(p);
    }
  }
}
