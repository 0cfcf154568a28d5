/**
 * Turns a walk of the filesystem into trees: unchanged files keep their previous chunks, changed
 * files go through the chunk pipeline, and directories become trees as they close. The caller
 * says which chunks are new (to be packed) and how trees are stored; events are processed in
 * walk order while the pipeline reads ahead. A file that changed while it was read is read again
 * here (reread-file.ts), or left out if it can't be; one that fails with an I/O error is handed to
 * the sink as unreadable.
 */
import type { BlobId } from "../format/id.ts";
import type { Node, Tree } from "../format/tree.ts";
import type { WalkEvent } from "../fs/walk.ts";
import { log } from "../lib/log.ts";
import type { ChunkPipeline } from "../pipeline/chunk-pipeline.ts";
import type { FileTicket } from "../pipeline/file-ticket.ts";
import { EventGcSchedule } from "../pipeline/gc-schedule.ts";
import { rereadFile, UnreadableFile } from "./reread-file.ts";
import { TreeBuilder } from "../repo/index.ts";
import { plural } from "../lib/plural.ts";

export interface TreeSink {
  /** True if the chunk (its ID's 28 bytes) is already stored or claimed (checking doesn't claim it). */
  known(digest: Uint8Array): boolean;
  /** Claims a chunk (its ID's 28 bytes): true if it is new and must be packed. */
  claim(digest: Uint8Array, length: number): boolean;
  /** Packs a chunk read on this thread unless it is stored or claimed: true if it was new. */
  add(id: BlobId, bytes: Uint8Array): Promise<boolean>;
  /** Stores a finished directory's tree and returns its ID. */
  storeTree(tree: Tree): Promise<BlobId>;
  /** A file that can't be read (an I/O error): throws to stop the backup, or returns to leave it out. */
  unreadable(path: string, why: string): void;
}

export interface WalkProgress {
  reusedBytes: number;
  currentPath: string;
  /** Files done so far: new (no file of that name before), changed (read again), unmodified (not read again). */
  newFiles: number;
  changedFiles: number;
  unmodifiedFiles: number;
  /** The bytes of the unmodified files. */
  unmodifiedBytes: number;
  /** Files that changed while they were read and couldn't be read again: left out of the snapshot. */
  leftOutFiles: number;
  /** Directories done so far: new (no directory of that name before), changed (another tree), unmodified (the same tree). */
  newDirs: number;
  changedDirs: number;
  unmodifiedDirs: number;
  /** Called often, so a renderer can redraw on its own schedule. */
  tick?: () => void;
}

export function newWalkProgress(): WalkProgress {
  return { reusedBytes: 0, currentPath: "", newFiles: 0, changedFiles: 0, unmodifiedFiles: 0, unmodifiedBytes: 0, leftOutFiles: 0, newDirs: 0, changedDirs: 0, unmodifiedDirs: 0 };
}

type Pending = { readonly event: WalkEvent; readonly ticket?: FileTicket; readonly ids?: BlobId[]; fresh?: boolean };

/** Events that need no file data are processed this many at a time. */
const DRAIN_BATCH = 64;
/** How many walk events may wait for their files' chunks before the walk pauses. */
const MAX_PENDING = 8192;

const pad9 = (s: string): string => s.padStart(9);

export async function walkIntoTrees(batches: AsyncIterable<readonly WalkEvent[]>, pipeline: ChunkPipeline, sink: TreeSink, progress: WalkProgress): Promise<BlobId> {
  const trees = new TreeBuilder();
  const gc = new EventGcSchedule();
  const queue: Pending[] = [];
  let head = 0;
  /** The previous snapshot's node of each open directory (undefined where there was none). */
  const openDirs: (Node | undefined)[] = [];

  /** Processes events from the head while their data is ready; false when the head must wait. */
  const drain = async (): Promise<boolean> => {
    while (head < queue.length) {
      const p = queue[head]!;
      gc.tick();
      const { event } = p;
      const entry = event.entry;
      progress.currentPath = entry.path;
      switch (event.kind) {
        case "enter":
          trees.enter();
          openDirs.push(event.previous);
          break;
        case "exit": {
          log.debug(`${pad9("finished")} ${entry.path}/`);
          const tree = await trees.exit(entry.name, entry.metadata, sink.storeTree);
          const previous = openDirs.pop()?.contents;
          if (previous?.kind !== "dir") progress.newDirs++;
          else if (previous.tree === tree) progress.unmodifiedDirs++;
          else progress.changedDirs++;
          break;
        }
        case "symlink":
          log.debug(`${pad9("symlink")} ${entry.path}`);
          trees.add(entry.name, { contents: { kind: "symlink", target: event.target }, metadata: entry.metadata });
          break;
        case "file": {
          const t = p.ticket;
          if (!t) {
            log.debug(`${pad9("unchanged")} ${entry.path}`);
            progress.reusedBytes += entry.metadata.size ?? 0;
            progress.unmodifiedFiles++;
            progress.unmodifiedBytes += entry.metadata.size ?? 0;
            trees.add(entry.name, { contents: event.previous!.contents, metadata: entry.metadata });
            break;
          }
          while (t.decided < t.chunks.length) {
            const next = t.chunks[t.decided]!;
            // A new chunk needs room in the frame being batched; claim it only once there is.
            if (!sink.known(next.digest) && !pipeline.canDecideNew()) return false;
            const isNew = sink.claim(next.digest, next.length);
            pipeline.decide(t, isNew);
            p.ids!.push(next.id);
            if (isNew) p.fresh = true;
            else progress.reusedBytes += next.length;
          }
          if (!t.complete) return false;
          let node: Node | undefined;
          try {
            node = t.changed ? await rereadFile(entry.path, sink.add, pipeline.pool.opts.readHook) : { contents: { kind: "file", chunks: p.ids! }, metadata: entry.metadata };
          } catch (err) {
            if (!(err instanceof UnreadableFile)) throw err;
            sink.unreadable(err.path, err.why);
            break;
          }
          if (!node) {
            progress.leftOutFiles++;
            break;
          }
          const n = t.changed ? "read again" : plural(p.ids!.length, "chunk", "chunks");
          log.debug(`${pad9(p.fresh ? "backup" : "deduped")} ${entry.path} (${n})`);
          if (event.previous?.contents.kind === "file") progress.changedFiles++;
          else progress.newFiles++;
          trees.add(entry.name, node);
          break;
        }
      }
      queue[head++] = undefined as unknown as Pending;
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      progress.tick?.();
    }
    return true;
  };

  let sinceDrain = 0;
  for await (const events of batches) {
    for (const event of events) {
      const changed = event.kind === "file" && !(event.unchanged && event.previous);
      queue.push(changed ? { event, ticket: pipeline.add(event.entry.path, { size: event.entry.metadata.size ?? 0, mtime: event.entry.metadata.mtime, ctime: event.entry.ctime }), ids: [] } : { event });
      // Feed the pipeline at once when there is data to read; otherwise process events in batches
      // (an await per unchanged file costs more than the file).
      if (changed) await pipeline.pump();
      if (!changed && ++sinceDrain < DRAIN_BATCH) continue;
      sinceDrain = 0;
      await drain();
      while (queue.length - head > MAX_PENDING) {
        await pipeline.waitForProgress();
        progress.tick?.();
        await drain();
      }
    }
  }
  while (!(await drain())) {
    await pipeline.waitForProgress();
    progress.tick?.();
  }
  await pipeline.finish();
  return trees.root(sink.storeTree);
}
