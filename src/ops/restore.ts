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
import { EventGcSchedule } from "../pipeline/gc-schedule.ts";
import { checkSnapshotLayout, distinctTrees, layoutForest, type Repository, streamNode, treeOf, type Trees, type TreeSource } from "../repo/index.ts";
import { compareTrees, type CompareCallbacks } from "./compare.ts";
import { FileWriter, type WriteProgress } from "./file-writer.ts";
import { forestFromFs } from "./fs-forest.ts";
import { loadRepository, snapshotTrees, type LoadedRepository } from "./open.ts";
import { refuseNonDirectoriesBetween } from "./nested-paths.ts";
import { removeSelected, type SelectedRemoval } from "./restore-removal.ts";
import { failIfIncomplete } from "./restore-report.ts";
import { scanSkip, selectView, type RestoreSelection, type SnapshotView } from "./restore-select.ts";
import { shallow, SHALLOW_TREES } from "./shallow-node.ts";
import { overlay } from "./tree-overlay.ts";

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
  /** The tree of what is on disk now, keyed by the snapshot's top-level names, and its subtrees. */
  readonly fs: [BlobId, Trees];
  /** Top-level name → where it goes on disk. */
  readonly map: Map<string, string>;
}

/**
 * Where each of the snapshot's top-level entries goes, and what is there now. Of the trees on
 * disk, only those the repository lacks are held; the others are read from `trees` if the
 * comparison needs them (it rarely does: a directory with the same tree on both sides is skipped).
 */
async function destination(id: SnapshotId, paths: readonly string[], trees: TreeSource, root: BlobId, output: string | undefined, filter: RestoreFilter | undefined, stored: (id: BlobId) => boolean): Promise<Destination> {
  const map = new Map<string, string>();
  const snapshotTop = await trees.tree(root);
  const onDisk = async (roots: readonly string[], previous: Tree | undefined, skip: ((p: string) => boolean) | undefined): Promise<[BlobId, TreeSource]> => {
    const [fsRoot, fresh] = await forestFromFs(roots, previous, trees, skip, (t) => !stored(t));
    return [fsRoot, overlay(fresh, trees)];
  };
  const from = new Map(paths.map((p) => [path.basename(p), p]));
  /** What the scan of the disk leaves out: with patterns, what they can't select (`roots`: a top-level path on disk → its snapshot name). */
  const skip = (roots: Iterable<[string, string]>): ((p: string) => boolean) | undefined =>
    filter && scanSkip(filter, new Map([...roots].map(([disk, name]) => [disk, from.get(name)!])));
  if (output === undefined) {
    log.info(`Restoring snapshot ${id} to its paths, ${debugSet(paths)}`);
    for (const p of paths) map.set(path.basename(p), p);
    refuseNonDirectoriesBetween(paths);
    // A top-level path that is gone is simply restored afresh.
    return { fs: await onDisk(paths.filter((p) => fs.existsSync(p)), snapshotTop, skip([...map].map(([name, p]) => [p, name]))), map };
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
    const [fsRoot, fsTrees] = await onDisk([dir], previous && new Map([[path.basename(dir), previous]]), skip([[dir, name]]));
    const top = new Map(await treeOf(fsTrees, fsRoot));
    const node = top.get(path.basename(dir))!;
    top.delete(path.basename(dir));
    top.set(name, node);
    const id2 = hashId<"blob">(encodeTree(top));
    return { fs: [id2, overlay(new Map([[id2, top]]), fsTrees)], map };
  }
  return { fs: await onDisk([...map.values()].filter((p) => fs.existsSync(p)), snapshotTop, skip([...map].map(([name, p]) => [p, name]))), map };
}

/** Restores the snapshot `opts.snapshot` names; returns its ID. */
export async function restore(repo: Repository, opts: RestoreOptions, progress?: WriteProgress): Promise<SnapshotId> {
  const loaded = await loadRepository(repo);
  const writer = new FileWriter(repo, loaded.index, { times: opts.times, permissions: opts.permissions }, progress);
  try {
    const { id, refused } = await plan(loaded, opts, writer);
    failIfIncomplete(refused, await writer.finish());
    return id;
  } finally {
    await writer.close();
  }
}

/**
 * Compares, makes directories and symlinks, and queues files, which the writer writes a batch at a
 * time as the comparison goes on; trees are read as it reaches them. Returns the snapshot's ID and
 * how many directories it refused to replace.
 */
async function plan(loaded: LoadedRepository, opts: RestoreOptions, writer: FileWriter): Promise<{ id: SnapshotId; refused: number }> {
  const [id, view] = await snapshotView(loaded, opts);
  const filter = opts.select?.filter;
  // SNAPSHOT:PATH back in place: the directories above PATH are made if they are gone, as `mkdir -p` would.
  if (opts.select?.subPath !== undefined && opts.output === undefined && !opts.dryRun) {
    const above = path.dirname(view.paths[0]!);
    withContext(`Couldn't create ${above}`, () => fs.mkdirSync(above, { recursive: true }));
  }
  const dest = await destination(id, view.paths, view.trees, view.root, opts.output, filter, (t) => loaded.index.blobs.has(t));
  const restorer = new Restorer(dest.map, writer, opts);
  if (filter) {
    const from = new Map(view.paths.map((p) => [path.basename(p), p]));
    restorer.removal = { filter, dest: (p) => translate(dest.map, p), abs: (p) => translate(from, p), dryRun: opts.dryRun, report: opts.report };
  }
  await compareTrees(dest.fs, [view.root, view.trees], "", restorer);
  return { id, refused: restorer.refused };
}

/**
 * The snapshot as a whole, or the part of it `opts.select` asks for. Every tree of it is read once
 * before anything is written (and let go), so a tree that can't be read, is damaged or contains
 * itself fails the restore before it touches the disk; `selectView` reads them as it selects.
 */
async function snapshotView(loaded: LoadedRepository, opts: RestoreOptions): Promise<[SnapshotId, SnapshotView]> {
  const { stored, trees, once } = snapshotTrees(loaded, opts.snapshot);
  checkSnapshotLayout(stored, await layoutForest(stored, trees));
  if (opts.select) return [stored.id, await selectView(stored, trees, opts.select)];
  // Each tree is let go at once, not cached, and collected young: a million files' trees had
  // the pass end at 278 MB instead of 146, in the same time.
  const gc = new EventGcSchedule();
  for await (const [, tree] of distinctTrees(stored.snapshot.tree, once)) gc.tick(tree.size);
  return [stored.id, { paths: stored.snapshot.paths, root: stored.snapshot.tree, trees }];
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
 * symlinks happen at once; file contents and directory metadata go to the file writer. What is
 * added is reported and made path by path as one walk reaches it.
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

  async added(p: string, node: Node, trees: Trees): Promise<void> {
    await this.#add(this.#translate(p), node, trees);
  }

  async removed(p: string, node: Node, trees: Trees): Promise<void> {
    if (!this.opts.delete) return;
    if (this.removal) return removeSelected(p, node, trees, this.removal);
    const dest = this.#translate(p);
    await this.#printer.removed(dest, node, trees);
    if (!this.opts.dryRun) removeNode(dest, node.contents.kind === "dir");
  }

  async contentsChanged(p: string, oldNode: Node, newNode: Node): Promise<void> {
    const dest = this.#translate(p);
    await this.#printer.contentsChanged(dest, oldNode, newNode);
    if (this.opts.dryRun) return;
    if (newNode.contents.kind === "file") {
      await this.files.file(dest, newNode, true);
    } else if (newNode.contents.kind === "symlink") {
      removeNode(dest, false);
      makeSymlink(newNode.contents.target, dest);
    }
  }

  async metadataChanged(p: string, oldNode: Node, newNode: Node): Promise<void> {
    const dest = this.#translate(p);
    await this.#printer.metadataChanged(dest, oldNode, newNode);
    if (this.opts.dryRun) return;
    if (newNode.contents.kind === "dir") await this.files.dir(dest, newNode);
    else this.#metadata(dest, newNode);
  }

  async typeChanged(p: string, oldNode: Node, oldTrees: Trees, newNode: Node, newTrees: Trees): Promise<void> {
    const dest = this.#translate(p);
    if (oldNode.contents.kind === "dir" && !this.opts.delete) {
      log.error(`Won't replace dir ${dest} with ${newNode.contents.kind} without --delete`);
      this.refused++;
      return;
    }
    await this.#printer.removed(dest, oldNode, oldTrees);
    if (!this.opts.dryRun) removeNode(dest, oldNode.contents.kind === "dir");
    await this.#add(dest, newNode, newTrees);
  }

  #metadata(dest: string, node: Node): void {
    applyMetadata(dest, node, { times: this.opts.times, permissions: this.opts.permissions });
  }

  /**
   * Reports and (unless dry-running) creates the node at `dest` and everything beneath it, each
   * path as the walk reaches it; a directory's metadata is queued after its contents.
   */
  async #add(dest: string, node: Node, trees: Trees): Promise<void> {
    for await (const [p, n, exit] of streamNode(dest, node, trees, { exits: true })) {
      await yieldPoint();
      if (!exit) {
        if (this.#printer.addedAlone) this.#printer.addedAlone(p, n);
        else await this.#printer.added(p, shallow(n), SHALLOW_TREES);
      }
      if (this.opts.dryRun) continue;
      const c = n.contents;
      // A new symlink keeps the time it was made at, as in backpak.
      if (exit) await this.files.dir(p, n);
      else if (c.kind === "file") await this.files.file(p, n, false);
      else if (c.kind === "symlink") makeSymlink(c.target, p);
      else makeDir(p);
    }
  }
}
