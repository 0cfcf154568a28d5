/**
 * Resuming an interrupted run: the WIP journal in the run's scratch directory (adopted from the
 * dead run, see wip-journal.ts) lists the packs that run finished, with their sizes. Those
 * still in the scratch directory are stored now, unless the repository has them already; the
 * rest should already be in the repository, but a prune may have deleted them (no index listed
 * them), or the storage may have kept them short (the run was killed before its end-of-run
 * check), so those are dropped and their blobs packed again. The others' blobs count as packed,
 * so the new run skips them.
 */
import fs from "node:fs";
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import type { IndexContents } from "../format/index-file.ts";
import type { PackId } from "../format/id.ts";
import { log } from "../lib/log.ts";
import { listObjects } from "./keys.ts";
import { readPackLayout } from "./pack-file.ts";
import { hasJournal, readJournal, WIP_JOURNAL } from "./wip-journal.ts";

export interface Resumable {
  readonly wip: IndexContents;
  /** Packs of the WIP index still in the scratch directory, to store. */
  readonly localPacks: ReadonlyMap<PackId, string>;
  /** The sizes recorded for the packs of `wip` (none for those adopted from an earlier version's WIP index). */
  readonly sizes: ReadonlyMap<PackId, number>;
  /** Packs the killed run stored short, dropped from `wip`: to delete before their blobs are packed again. */
  readonly storedShort: readonly PackId[];
}

export interface ResumeOptions {
  /** This run is a prune, which may take over a prune's WIP index (one that supersedes indexes). */
  readonly replacesIndexes: boolean;
  /** The repository lists the sizes written (see sizesListedAsWritten), so they can be compared with those recorded. */
  readonly exactSizes: boolean;
}

export const EMPTY_INDEX: IndexContents = { packs: new Map(), supersedes: new Set() };

/**
 * Finds the resume index in the run directory `runDir` (where adoption put what dead runs left);
 * undefined when there is none, or when it is a prune's (it supersedes indexes) and this run
 * isn't a prune (`replacesIndexes`): a backup that took it over would store an index replacing
 * every other while it lists only the packs the prune had made so far.
 */
export async function findResumable(runDir: string, backend: Backend, opts: ResumeOptions): Promise<Resumable | undefined> {
  if (!hasJournal(runDir)) return undefined;
  const { sizes, ...wip } = readJournal(runDir);
  if (wip.supersedes.size > 0 && !opts.replacesIndexes) {
    log.warn(`Not resuming ${path.join(runDir, WIP_JOURNAL)}, left by a prune: the next prune starts over`);
    return undefined;
  }
  log.info("WIP index file found, resuming where we left off...");
  const localPacks = new Map<PackId, string>();
  for (const id of wip.packs.keys()) {
    const file = path.join(runDir, `${id}.pack`);
    if (fs.existsSync(file)) localPacks.set(id, file);
  }
  // The pack files must be whole: each manifest must still hash to its name.
  for (const [id, file] of localPacks) readPackLayout(new Uint8Array(fs.readFileSync(file)), id);
  // Those already stored (a run killed after an upload, before deleting the file) aren't sent
  // again: the writer finds them in its listing of packs/ and removes the copy.
  const stored = new Map((await listObjects(backend, "pack")).map((p) => [p.id, p.size]));
  const packs = new Map(wip.packs);
  const storedShort: PackId[] = [];
  for (const id of wip.packs.keys()) {
    if (localPacks.has(id)) continue;
    const size = stored.get(id);
    const recorded = sizes.get(id);
    if (size === undefined) {
      // Stored but never indexed, so a prune deleted it (or it went to another repository): its blobs are packed again.
      log.warn(`Pack ${id} of the WIP index is neither in ${runDir} nor in the repository; its blobs will be packed again`);
    } else if (opts.exactSizes && recorded !== undefined && size !== recorded) {
      // The killed run never got to check what it stored: the storage kept only part of it.
      log.warn(`Pack ${id} of the WIP index is stored with ${size} bytes, not the ${recorded} written; it will be deleted and its blobs packed again`);
      storedShort.push(id);
    } else continue;
    packs.delete(id);
  }
  return { wip: { packs, supersedes: wip.supersedes }, localPacks, sizes, storedShort };
}
