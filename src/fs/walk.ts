/**
 * Walks directory trees on disk, comparing each entry with the node of the same name in a previous
 * tree (from a snapshot). A map-reduce: `visit` is called for every entry, with the result of the
 * recursive walk for directories; `finish` turns a directory's accumulated entries into a result.
 * Backup, its pre-flight check, diff and restore all walk with it.
 */
import path from "node:path";
import type { BlobId } from "../format/id.ts";
import type { Node, PosixMetadata, Tree } from "../format/tree.ts";
import { compareUtf8 } from "../lib/order.ts";
import { log } from "../lib/log.ts";
import { statPath } from "./metadata.ts";
import { readDirUtf8, readLinkUtf8 } from "./names.ts";

export interface WalkedEntry {
  /** Absolute path on disk. */
  readonly path: string;
  /** The name it gets in its tree (the last path component). */
  readonly name: string;
  readonly metadata: PosixMetadata;
  /** The node of the same name in the previous tree, if any. */
  readonly previous: Node | undefined;
}

export type EntryKind<T> =
  | { readonly kind: "dir"; readonly result: T }
  | { readonly kind: "symlink"; readonly target: string }
  | { readonly kind: "file"; readonly unchanged: boolean };

export interface WalkHandlers<T, A> {
  /** A fresh accumulator for one directory. */
  begin(): A;
  visit(acc: A, entry: WalkedEntry, what: EntryKind<T>): Promise<void>;
  /** Reduces a directory (or the top level, with dir undefined) to its result. */
  finish(acc: A, dir: string | undefined): Promise<T>;
}

export interface WalkOptions {
  /** Follow symlinks (-L) instead of recording them. */
  readonly dereference: boolean;
  /** True to leave a path (and everything under it) out. */
  readonly skip?: (absolutePath: string) => boolean;
  /** Looks up previous subtrees by ID. */
  readonly previousTree: (id: BlobId) => Tree | undefined;
}

/** A file is unchanged when the previous node is a file with the same mtime and size. */
export function fileUnchanged(metadata: PosixMetadata, previous: Node | undefined): boolean {
  if (!previous || previous.contents.kind !== "file") return false;
  const pm = previous.metadata;
  const pmtime = pm.type === "posix" ? pm.mtime : pm.writeTime;
  return pmtime === metadata.mtime && pm.size === metadata.size;
}

/** Walks `paths` (absolute; their last components become the top-level names) against `previous`. */
export async function walkFs<T, A>(paths: readonly string[], previous: Tree | undefined, opts: WalkOptions, h: WalkHandlers<T, A>): Promise<T> {
  return walkLevel(paths, previous, opts, h, undefined);
}

async function walkLevel<T, A>(paths: readonly string[], previous: Tree | undefined, opts: WalkOptions, h: WalkHandlers<T, A>, dir: string | undefined): Promise<T> {
  const acc = h.begin();
  for (const p of paths) {
    if (opts.skip?.(p)) {
      log.debug(`     skip ${p}`);
      continue;
    }
    const name = path.basename(p);
    const prev = previous?.get(name);
    const { metadata, kind } = statPath(p, opts.dereference);
    const entry: WalkedEntry = { path: p, name, metadata, previous: prev };
    switch (kind) {
      case "dir": {
        const children = readDirUtf8(p)
          .sort(compareUtf8)
          .map((n) => path.join(p, n));
        const prevSub = prev?.contents.kind === "dir" ? opts.previousTree(prev.contents.tree) : undefined;
        const result = await walkLevel(children, prevSub, opts, h, p);
        await h.visit(acc, entry, { kind: "dir", result });
        break;
      }
      case "symlink":
        await h.visit(acc, entry, { kind: "symlink", target: readLinkUtf8(p) });
        break;
      case "file":
        await h.visit(acc, entry, { kind: "file", unchanged: fileUnchanged(metadata, prev) });
        break;
      default:
        log.warn(`Skipping special file (${(metadata.mode & 0o170000).toString(8)}) ${p}`);
    }
  }
  return h.finish(acc, dir);
}
