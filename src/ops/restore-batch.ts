/**
 * A restore's batch of work: the files created and waiting for their chunks, every place each
 * chunk goes (keyed by its entry in the master index's blob table, not by a text ID), and the
 * directories whose walk ended while it was planned. A batch closes at the end of a directory once
 * it holds enough files and directories or chunk bytes (`BACKPAK_RESTORE_BATCH_FILES`,
 * `BACKPAK_RESTORE_BATCH_MIB`), or wherever it holds twice that, so what a restore holds is
 * bounded whatever the number of files in the snapshot.
 */
import type { Node } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import type { BlobTarget } from "../pipeline/blob-pipeline.ts";

/** A file created and not yet complete. */
export interface PendingFile {
  readonly dest: string;
  /** Where its bytes are written: `dest` itself for a new file, else a name beside it; as `reach` gives it, so of any length. */
  readonly tmp: string;
  readonly node: Node;
  readonly replacing: boolean;
  /** Chunks not written yet. */
  remaining: number;
  /** Some of its chunks wait for the late pass (file-writer.ts `#defer`). */
  late?: boolean;
}

/** Where a chunk goes: a place in a file, and the file. */
export interface FileTarget extends BlobTarget {
  readonly file: PendingFile;
}

export interface BatchLimits {
  /** Files and directories a batch holds before it closes at a directory's end (at most twice this). */
  readonly items: number;
  /** Bytes of chunk targets (the data the batch writes), likewise. */
  readonly bytes: number;
}

const DEFAULT_ITEMS = 10_000;
const DEFAULT_MIB = 64;

/** The limits from the environment, or the defaults (10,000 files and directories, 64 MiB of data). */
export function batchLimits(env: NodeJS.ProcessEnv = process.env): BatchLimits {
  return { items: positive(env, "BACKPAK_RESTORE_BATCH_FILES", DEFAULT_ITEMS), bytes: positive(env, "BACKPAK_RESTORE_BATCH_MIB", DEFAULT_MIB) * 2 ** 20 };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new BackpakError("usage", `${name}=${JSON.stringify(text)} is not a whole number of at least 1`, { hint: `unset ${name} for the default (${fallback})` });
  return n;
}

export class Batch {
  readonly files: PendingFile[] = [];
  /** A chunk's blob table entry → every place it goes in this batch's files. */
  readonly targets = new Map<number, FileTarget[]>();
  /** Directories whose metadata is applied once this batch (and every one before it) is written. */
  readonly dirs: [string, Node][] = [];
  /** Bytes of chunk targets queued. */
  bytes = 0;

  /** Queues a place a chunk goes. */
  target(entry: number, length: number, t: FileTarget): void {
    const list = this.targets.get(entry);
    if (list) list.push(t);
    else this.targets.set(entry, [t]);
    this.bytes += length;
  }

  /** Whether it holds `times` its limits. */
  full(limits: BatchLimits, times = 1): boolean {
    return this.files.length + this.dirs.length >= limits.items * times || this.bytes >= limits.bytes * times;
  }
}
