/**
 * `find`: the entries of snapshots whose paths match patterns, streamed as they are found. Trees
 * are read one at a time as the walk reaches them (never a snapshot's whole forest at once), on an
 * explicit stack, and what was found beneath a tree at a path is remembered (find-cache.ts) so a
 * later snapshot with the same tree there gets the same entries without reading it again.
 */
import type { BlobId } from "../format/id.ts";
import { modificationTime, sortedEntries, type Node } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { StoredSnapshot, TreeSource } from "../repo/index.ts";
import { FindCache } from "./find-cache.ts";

export interface FoundEntry {
  /** The absolute path it was backed up from. */
  readonly path: string;
  readonly type: "file" | "dir" | "symlink";
  readonly size?: number;
  readonly mtime: bigint | null;
}

/** Whether an entry matches: its absolute path, its name, and whether it is a directory. */
export type EntryMatcher = (path: string, name: string, isDir: boolean) => boolean;

const entryOf = (path: string, node: Node): FoundEntry => {
  const size = node.metadata.size;
  return { path, type: node.contents.kind, ...(size === undefined ? {} : { size }), mtime: modificationTime(node.metadata) };
};

interface Frame {
  readonly tree: BlobId;
  readonly path: string;
  readonly key: string;
  readonly entries: [string, Node][];
  next: number;
  /** How many entries had been found in this snapshot when it was entered. */
  readonly start: number;
}

/**
 * Finds the matching entries of one snapshot, in path order, handing each to `found`. The paths
 * are the ones backed up: a top-level entry's is the snapshot path it came from.
 */
export async function findInSnapshot(s: StoredSnapshot, trees: TreeSource, matches: EntryMatcher, cache: FindCache, found: (e: FoundEntry) => void): Promise<void> {
  const byName = new Map(s.snapshot.paths.map((p) => [p.slice(p.lastIndexOf("/") + 1), p]));
  const frames: Frame[] = [];
  const onBranch = new Set<BlobId>();
  /** Entries found beneath the open frames that may still be cached: those of frames[cacheable] on. */
  let kept: FoundEntry[] = [];
  let keptFrom = 0;
  let count = 0;
  /** frames below this index found too much to be cached. */
  let cacheable = 0;

  const out = (e: FoundEntry): void => {
    found(e);
    count++;
    if (cacheable === frames.length) {
      keptFrom = count;
      return;
    }
    kept.push(e);
    while (cacheable < frames.length && count - frames[cacheable]!.start > cache.maxPerTree) cacheable++;
    const from = cacheable < frames.length ? frames[cacheable]!.start : count;
    if (from > keptFrom) {
      kept = kept.slice(from - keptFrom);
      keptFrom = from;
    }
  };

  const enter = async (tree: BlobId, path: string): Promise<void> => {
    const key = FindCache.key(tree, path);
    const hit = cache.get(key);
    if (hit) {
      log.trace(`Tree ${tree} at ${path} was searched before: ${hit.length} entries found`);
      for (const e of hit) out(e);
      return;
    }
    if (onBranch.has(tree)) throw new BackpakError("corrupt", `Cycle detected! Tree ${tree} contains itself (at ${path})`, { hint: "run `backpak check` to find the snapshots that use it" });
    onBranch.add(tree);
    frames.push({ tree, path, key, entries: sortedEntries(await trees.tree(tree)), next: 0, start: count });
  };

  const visit = async (path: string, name: string, node: Node): Promise<void> => {
    const isDir = node.contents.kind === "dir";
    if (matches(path, name, isDir)) out(entryOf(path, node));
    if (node.contents.kind === "dir") await enter(node.contents.tree, path);
  };

  for (const [name, node] of sortedEntries(await trees.tree(s.snapshot.tree))) {
    await visit(byName.get(name) ?? `/${name}`, name, node);
    while (frames.length > 0) {
      const top = frames[frames.length - 1]!;
      if (top.next < top.entries.length) {
        const [child, childNode] = top.entries[top.next++]!;
        await visit(`${top.path === "/" ? "" : top.path}/${child}`, child, childNode);
        continue;
      }
      frames.pop();
      onBranch.delete(top.tree);
      if (frames.length >= cacheable) cache.set(top.key, kept.slice(top.start - keptFrom, count - keptFrom));
      cacheable = Math.min(cacheable, frames.length);
      if (cacheable === frames.length) {
        kept = [];
        keptFrom = count;
      }
    }
  }
}
