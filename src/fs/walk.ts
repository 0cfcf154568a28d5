/**
 * Walks directory trees on disk as a stream of events in depth-first order (a directory's "enter",
 * its entries, then its "exit"), and compares each entry with the node of the same name in a
 * previous tree (from a snapshot). Scanning and comparing are separate steps, so a scan can be
 * recorded once and compared later: backup compares the records of its scan on a worker, diff and
 * restore scan here, on the main thread; both scans walk with `walker.ts` `Walker`.
 */
import type { BlobId } from "../format/id.ts";
import type { Node, PosixMetadata, Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { toMetadata } from "./metadata.ts";
import { Problem, Step, Walker } from "./walker.ts";

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

const NOT_UTF8_HINT = "rename it to valid UTF-8, or leave it out with --skip";

/** The error a scan of the disk stops at, for what the walker couldn't read or name. */
function unreadableError(w: Walker): BackpakError {
  const cause = w.cause;
  switch (w.problem) {
    case Problem.Stat:
      return new BackpakError("io", `Couldn't stat ${w.path}`, { cause });
    case Problem.List:
      return new BackpakError("io", `Failed iterating subdirectory ${w.path.slice(0, -1)}`, { cause });
    case Problem.Name: {
      const raw = w.rawName!;
      return new BackpakError("usage", `Failed iterating subdirectory ${w.parent}: the name ${JSON.stringify(raw.toString("latin1"))} (bytes ${raw.toString("hex")}) isn't valid UTF-8`, {
        hint: NOT_UTF8_HINT,
      });
    }
    case Problem.Link:
      return new BackpakError("io", `Couldn't get symlink target of ${w.path}`, { cause });
    case Problem.Target:
      return new BackpakError("usage", `The symlink ${w.path} points to a path that isn't valid UTF-8`, { hint: NOT_UTF8_HINT });
    default:
      return new BackpakError("io", `Can't read ${w.path} (${w.why})`, { cause });
  }
}

/**
 * Scans `paths` (absolute; their last components become the top-level names) with the walker, as
 * events; stops with an error at the first entry it can't read or name, and warns about (and
 * leaves out) special files.
 */
export function* scanFs(paths: readonly string[], opts: ScanOptions): Generator<ScanEvent> {
  const skip = opts.skip;
  const w = new Walker(paths, {
    dereference: opts.dereference,
    skip:
      skip &&
      ((p) => {
        if (!skip(p)) return false;
        log.debug(`     skip ${p}`);
        return true;
      }),
  });
  const dirs: ScannedEntry[] = [];
  const entry = (): ScannedEntry => ({ path: w.path, name: w.name, metadata: toMetadata(w.stat!), ctime: w.stat!.ctime });
  for (let step = w.next(); step !== Step.End; step = w.next()) {
    switch (step) {
      case Step.Enter: {
        const e = entry();
        dirs.push(e);
        yield { kind: "enter", entry: e };
        break;
      }
      case Step.Exit:
        yield { kind: "exit", entry: dirs.pop()! };
        break;
      case Step.File:
        yield { kind: "file", entry: entry() };
        break;
      case Step.Symlink:
        yield { kind: "symlink", entry: entry(), target: w.targetText };
        break;
      case Step.Special:
        log.warn(`Skipping special file (${(w.stat!.mode & 0o170000).toString(8)}) ${w.path}`);
        break;
      case Step.Unreadable:
        throw unreadableError(w);
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
