/**
 * Walks directory trees on disk as a stream of events in depth-first order (a directory's "enter",
 * its entries, then its "exit"), and compares each entry with the node of the same name in a
 * previous tree (from a snapshot). Scanning and comparing are separate steps, so a scan can be
 * recorded once and compared later. Backup, its pre-flight check, diff and restore all walk with it.
 */
import path from "node:path";
import type { BlobId } from "../format/id.ts";
import type { Node, PosixMetadata, Tree } from "../format/tree.ts";
import { compareUtf8 } from "../lib/order.ts";
import { log } from "../lib/log.ts";
import { statPath } from "./metadata.ts";
import { readDirUtf8, readLinkUtf8 } from "./names.ts";

/** What a scan sees of one entry. */
export interface ScannedEntry {
  /** Absolute path on disk. */
  readonly path: string;
  /** The name it gets in its tree (the last path component). */
  readonly name: string;
  readonly metadata: PosixMetadata;
  /** Status-change time (ns): with the size and mtime, what a read of a file is checked against. */
  readonly ctime: bigint;
}

export type ScanEvent =
  | { readonly kind: "enter" | "exit" | "file"; readonly entry: ScannedEntry }
  | { readonly kind: "symlink"; readonly entry: ScannedEntry; readonly target: string };

/** A scanned entry with the node of the same name in the previous tree (if any). */
export type WalkEvent =
  | { readonly kind: "enter" | "exit"; readonly entry: ScannedEntry; readonly previous: Node | undefined }
  | { readonly kind: "symlink"; readonly entry: ScannedEntry; readonly previous: Node | undefined; readonly target: string }
  | { readonly kind: "file"; readonly entry: ScannedEntry; readonly previous: Node | undefined; readonly unchanged: boolean };

export interface ScanOptions {
  /** Follow symlinks (-L) instead of recording them. */
  readonly dereference: boolean;
  /** True to leave a path (and everything under it) out. */
  readonly skip?: ((absolutePath: string) => boolean) | undefined;
}

/** A file is unchanged when the previous node is a file with the same mtime and size. */
export function fileUnchanged(metadata: PosixMetadata, previous: Node | undefined): boolean {
  if (!previous || previous.contents.kind !== "file") return false;
  const pm = previous.metadata;
  const pmtime = pm.type === "posix" ? pm.mtime : pm.writeTime;
  return pmtime === metadata.mtime && pm.size === metadata.size;
}

/**
 * Scans `paths` (absolute; their last components become the top-level names), depth first on an
 * explicit stack: each level holds its directory's remaining paths, so depth costs heap, not call
 * stack, and each event costs the same however deep it is.
 */
export function* scanFs(paths: readonly string[], opts: ScanOptions): Generator<ScanEvent> {
  const stack: { readonly paths: readonly string[]; next: number; readonly dir: ScannedEntry | undefined }[] = [{ paths, next: 0, dir: undefined }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.paths.length) {
      stack.pop();
      if (top.dir) yield { kind: "exit", entry: top.dir };
      continue;
    }
    const p = top.paths[top.next++]!;
    if (opts.skip?.(p)) {
      log.debug(`     skip ${p}`);
      continue;
    }
    const { metadata, kind, ctime } = statPath(p, opts.dereference);
    const entry: ScannedEntry = { path: p, name: path.basename(p), metadata, ctime };
    switch (kind) {
      case "dir": {
        const children = readDirUtf8(p)
          .sort(compareUtf8)
          .map((n) => path.join(p, n));
        yield { kind: "enter", entry };
        stack.push({ paths: children, next: 0, dir: entry });
        break;
      }
      case "symlink":
        yield { kind: "symlink", entry, target: readLinkUtf8(p) };
        break;
      case "file":
        yield { kind: "file", entry };
        break;
      default:
        log.warn(`Skipping special file (${(metadata.mode & 0o170000).toString(8)}) ${p}`);
    }
  }
}

/** Where a walk finds the previous tree of a directory: at hand, or read when the walk gets there. */
export type PreviousTree = (id: BlobId) => Tree | undefined | Promise<Tree | undefined>;

/** Compared events are handed on in batches of this many (an await per event would cost more than the event). */
const BATCH = 256;

/**
 * Pairs scanned entries with the nodes of the same names in `previous` and its subtrees, asking
 * for each previous directory's tree only when the scan enters it: only the previous trees of the
 * directories open on the current branch are held. Events come in batches, in order.
 */
export async function* compareScan(scan: Iterable<ScanEvent>, previous: Tree | undefined, previousTree: PreviousTree): AsyncGenerator<WalkEvent[]> {
  const open: (Tree | undefined)[] = [previous];
  let batch: WalkEvent[] = [];
  for (const ev of scan) {
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
    if (ev.kind === "exit") {
      open.pop();
      batch.push({ kind: "exit", entry: ev.entry, previous: undefined });
      continue;
    }
    const previous = open[open.length - 1]?.get(ev.entry.name);
    switch (ev.kind) {
      case "enter": {
        const sub = previous?.contents.kind === "dir" ? previousTree(previous.contents.tree) : undefined;
        open.push(sub instanceof Promise ? await sub : sub);
        batch.push({ kind: "enter", entry: ev.entry, previous });
        break;
      }
      case "symlink":
        batch.push({ kind: "symlink", entry: ev.entry, previous, target: ev.target });
        break;
      case "file":
        batch.push({ kind: "file", entry: ev.entry, previous, unchanged: fileUnchanged(ev.entry.metadata, previous) });
        break;
    }
  }
  if (batch.length > 0) yield batch;
}

/** Scans and compares in one pass. */
export function walkEvents(paths: readonly string[], previous: Tree | undefined, opts: ScanOptions & { readonly previousTree: PreviousTree }): AsyncGenerator<WalkEvent[]> {
  return compareScan(scanFs(paths, opts), previous, opts.previousTree);
}
