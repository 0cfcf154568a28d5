/**
 * Turns a walk of the filesystem into trees: unchanged files keep their previous chunks, changed
 * files go through the chunk pipeline, and directories become trees as they close. The caller
 * says which chunks are new (to be packed) and how trees are stored; events are processed in
 * walk order while the pipeline reads ahead.
 */
import type { BlobId } from "../format/id.ts";
import type { Tree } from "../format/tree.ts";
import type { WalkEvent } from "../fs/walk.ts";
import { log } from "../lib/log.ts";
import type { ChunkPipeline, FileTicket } from "../pipeline/chunk-pipeline.ts";
import { EventGcSchedule } from "../pipeline/gc-schedule.ts";
import { TreeBuilder } from "./tree-builder.ts";

export interface TreeSink {
  /** True if the chunk is already stored or claimed (checking doesn't claim it). */
  known(id: BlobId): boolean;
  /** Claims a chunk: true if it is new and must be packed. */
  claim(id: BlobId, length: number): boolean;
  /** Stores a finished directory's tree and returns its ID. */
  storeTree(tree: Tree): Promise<BlobId>;
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
  /** Called often, so a renderer can redraw on its own schedule. */
  tick?: () => void;
}

export function newWalkProgress(): WalkProgress {
  return { reusedBytes: 0, currentPath: "", newFiles: 0, changedFiles: 0, unmodifiedFiles: 0, unmodifiedBytes: 0 };
}

type Pending = { readonly event: WalkEvent; readonly ticket?: FileTicket; readonly ids?: BlobId[]; fresh?: boolean };

/** Events that need no file data are processed this many at a time. */
const DRAIN_BATCH = 64;
/** How many walk events may wait for their files' chunks before the walk pauses. */
const MAX_PENDING = 8192;

const pad9 = (s: string): string => s.padStart(9);

export async function walkIntoTrees(events: Iterable<WalkEvent>, pipeline: ChunkPipeline, sink: TreeSink, progress: WalkProgress): Promise<BlobId> {
  const trees = new TreeBuilder();
  const gc = new EventGcSchedule();
  const queue: Pending[] = [];
  let head = 0;

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
          break;
        case "exit":
          log.debug(`${pad9("finished")} ${entry.path}/`);
          await trees.exit(entry.name, entry.metadata, sink.storeTree);
          break;
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
            if (!sink.known(next.id) && !pipeline.canDecideNew()) return false;
            const isNew = sink.claim(next.id, next.length);
            pipeline.decide(t, isNew);
            p.ids!.push(next.id);
            if (isNew) p.fresh = true;
            else progress.reusedBytes += next.length;
          }
          if (!t.complete) return false;
          const n = p.ids!.length;
          log.debug(`${pad9(p.fresh ? "backup" : "deduped")} ${entry.path} (${n} ${n === 1 ? "chunk" : "chunks"})`);
          if (event.previous?.contents.kind === "file") progress.changedFiles++;
          else progress.newFiles++;
          trees.add(entry.name, { contents: { kind: "file", chunks: p.ids! }, metadata: entry.metadata });
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
  for (const event of events) {
    const changed = event.kind === "file" && !(event.unchanged && event.previous);
    queue.push(changed ? { event, ticket: pipeline.add(event.entry.path, event.entry.metadata.size ?? 0), ids: [] } : { event });
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
  while (!(await drain())) {
    await pipeline.waitForProgress();
    progress.tick?.();
  }
  await pipeline.finish();
  return trees.root(sink.storeTree);
}
