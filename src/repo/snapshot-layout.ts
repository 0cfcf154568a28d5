/**
 * Checks that a snapshot's paths and its root tree agree, as backup makes them: every path ends in
 * a distinct file name, every root entry is named after one of the paths, and a path inside
 * another lies under directories of the outer path's tree (never under a symlink or a file, which
 * restore would otherwise create and then write through). A hostile or damaged snapshot that breaks
 * these is refused before restore touches the disk, and `check` reports it.
 */
import path from "node:path";
import type { StoredSnapshot } from "./snapshots.ts";
import { isFileName, type Node } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { forestTree, type Forest, type TreeSource } from "./tree-cache.ts";

const HINT = "this snapshot wasn't made by backup (or was damaged): forget it with `backpak forget <ID>`";

const bad = (s: StoredSnapshot, msg: string): never => {
  throw new BackpakError("corrupt", `Snapshot ${s.id} ${msg}`, { hint: HINT });
};

/** Throws, naming the snapshot, unless its paths and root tree (in `forest`) agree. */
export function checkSnapshotLayout(s: StoredSnapshot, forest: Forest): void {
  const root = forestTree(forest, s.snapshot.tree);
  const byName = new Map<string, string>();
  for (const p of s.snapshot.paths) {
    const name = path.basename(p);
    if (!isFileName(name)) bad(s, `has the path ${JSON.stringify(p)}, which doesn't end in a file name`);
    if (byName.has(name)) bad(s, `has two paths ending in ${JSON.stringify(name)}`);
    byName.set(name, p);
  }
  for (const name of root.keys()) {
    if (!byName.has(name)) bad(s, `has the root entry ${JSON.stringify(name)}, which isn't named after any of its paths`);
  }
  for (const [outer, inner, parts] of nestedPaths(s.snapshot.paths)) {
    const node = root.get(path.basename(outer));
    const blocker = node && nonDirectoryAbove(node, parts, forest);
    if (blocker !== undefined) bad(s, `has the path ${inner} inside ${outer}, beneath ${path.join(outer, blocker)}, which it stores as something other than a directory`);
  }
}

/**
 * Just the trees `checkSnapshotLayout` reads (the root, and those on the way from an outer path to
 * an inner one), from `source`: a restore of part of a snapshot checks it without loading the rest.
 */
export async function layoutForest(s: StoredSnapshot, source: TreeSource): Promise<Forest> {
  const root = await source.tree(s.snapshot.tree);
  const forest = new Map([[s.snapshot.tree, root]]);
  for (const [outer, , parts] of nestedPaths(s.snapshot.paths)) {
    let here = root.get(path.basename(outer));
    for (let i = 0; i < parts.length && here?.contents.kind === "dir"; i++) {
      const tree = await source.tree(here.contents.tree);
      forest.set(here.contents.tree, tree);
      here = tree.get(parts[i]!);
    }
  }
  return forest;
}

/** Each path of `paths` that lies inside another: the outer path, the inner one, and the components leading from one to the other. */
export function* nestedPaths(paths: readonly string[]): Generator<[outer: string, inner: string, parts: string[]]> {
  for (const outer of paths) {
    for (const inner of paths) {
      const rel = path.relative(path.resolve(outer), path.resolve(inner));
      if (rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel)) yield [outer, inner, rel.split(path.sep)];
    }
  }
}

/** The first of the components above the last one (relative to `node`) that isn't a directory in the snapshot, if any. */
function nonDirectoryAbove(node: Node, parts: readonly string[], forest: Forest): string | undefined {
  let here: Node | undefined = node;
  for (let i = 0; i < parts.length && here; i++) {
    if (here.contents.kind !== "dir") return parts.slice(0, i).join("/");
    here = forestTree(forest, here.contents.tree).get(parts[i]!);
  }
  return undefined;
}
