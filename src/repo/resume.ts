/**
 * Resuming an interrupted run: `backpak-wip.index` in the working directory lists the packs that
 * run finished. Those still in the working directory are stored now, unless the repository has
 * them already; the rest should already be in the repository, but a prune may have deleted them
 * (no index listed them), so those are dropped and their blobs packed again. The others' blobs
 * count as packed, so the new run skips them. Finished files the WIP index doesn't account for
 * are deleted.
 */
import fs from "node:fs";
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import type { IndexContents } from "../format/index-file.ts";
import { isId, type PackId } from "../format/id.ts";
import { context } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { parseIndexFile } from "./index-file.ts";
import { WIP_INDEX } from "./indexer.ts";
import { listObjects } from "./keys.ts";
import { readPackLayout } from "./pack-file.ts";
import { removeAbandonedTemps } from "./work-temps.ts";

export interface Resumable {
  readonly wip: IndexContents;
  /** Packs of the WIP index still in the working directory, to store. */
  readonly localPacks: ReadonlyMap<PackId, string>;
}

export const EMPTY_INDEX: IndexContents = { packs: new Map(), supersedes: new Set() };

/** Finds a WIP index in `workDir` (first deleting what killed runs left there); undefined when there is none. */
export async function findResumable(workDir: string, backend: Backend): Promise<Resumable | undefined> {
  const wipPath = path.join(workDir, WIP_INDEX);
  const wip = fs.existsSync(wipPath) ? readWip(wipPath) : undefined;
  const localPacks = removeLeftovers(workDir, wip);
  if (!wip) return undefined;
  log.info("WIP index file found, resuming where we left off...");
  // The pack files must be whole: each manifest must still hash to its name.
  for (const [id, file] of localPacks) readPackLayout(new Uint8Array(fs.readFileSync(file)), id);
  const stored = new Map((await listObjects(backend, "pack")).map((p) => [p.id, p.size]));
  for (const [id, file] of localPacks) {
    // A run killed after the upload but before deleting the file: the stored copy is whole (puts
    // are atomic), so it isn't sent again. (A filtered repository stores other sizes: sent again.)
    if (stored.get(id) !== fs.statSync(file).size) continue;
    fs.rmSync(file);
    localPacks.delete(id);
    log.info(`Pack ${id} is already stored; removed its copy in the working directory`);
  }
  const packs = new Map(wip.packs);
  for (const id of wip.packs.keys()) {
    if (localPacks.has(id) || stored.has(id)) continue;
    // Stored but never indexed, so a prune deleted it (or it went to another repository): its blobs are packed again.
    log.warn(`Pack ${id} of the WIP index is neither in ${workDir} nor in the repository; its blobs will be packed again`);
    packs.delete(id);
  }
  return { wip: { packs, supersedes: wip.supersedes }, localPacks };
}

/**
 * Deletes what killed runs left in `workDir`, for runs that don't resume (a WIP index there is
 * kept, with the packs it lists, for the next run that does; one that can't be read keeps all).
 */
export function tidyWorkDir(workDir: string): void {
  const wipPath = path.join(workDir, WIP_INDEX);
  let wip: IndexContents | undefined;
  try {
    wip = fs.existsSync(wipPath) ? readWip(wipPath) : undefined;
  } catch (err) {
    log.warn(`Keeping the packs in ${workDir}: ${(err as Error).message}`);
    removeAbandonedTemps(workDir);
    return;
  }
  removeLeftovers(workDir, wip);
}

/** Deletes temporary files of dead processes and finished files `wip` doesn't list; returns the packs it lists, by ID. */
function removeLeftovers(workDir: string, wip: IndexContents | undefined): Map<PackId, string> {
  removeAbandonedTemps(workDir);
  const listed = new Map<PackId, string>();
  for (const [name, id, kind] of finishedFiles(workDir)) {
    const file = path.join(workDir, name);
    if (kind === "pack" && wip?.packs.has(id as PackId)) {
      listed.set(id as PackId, file);
      continue;
    }
    // Finished but never stored, or a pack the WIP index doesn't list (killed between naming and listing it): what they held is made again.
    fs.rmSync(file, { force: true });
    log.info(`Removed ${name}, left unstored by an interrupted run`);
  }
  return listed;
}

function readWip(wipPath: string): IndexContents {
  try {
    return parseIndexFile(new Uint8Array(fs.readFileSync(wipPath)), wipPath).index;
  } catch (err) {
    throw context("corrupt", `Couldn't read ${wipPath}`, err, `delete ${wipPath} to start over`);
  }
}

/** Finished objects in the working directory, waiting to be stored: `[file name, ID, kind]`. */
function* finishedFiles(workDir: string): Generator<[string, string, string]> {
  for (const name of fs.readdirSync(workDir)) {
    const parts = name.split(".");
    if (parts.length === 2 && FINISHED_KINDS.has(parts[1]!) && isId(parts[0]!)) yield [name, parts[0]!, parts[1]!];
  }
}

const FINISHED_KINDS = new Set(["pack", "index", "snapshot"]);
