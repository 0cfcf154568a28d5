/**
 * Resuming an interrupted run: `backpak-wip.index` in the working directory lists the packs that
 * run finished. Those still in the working directory are stored now, unless the repository has
 * them already; the rest must already be in the repository. Their blobs count as packed, so the
 * new run skips them.
 */
import fs from "node:fs";
import path from "node:path";
import type { Backend } from "../backend/index.ts";
import type { IndexContents } from "../format/index-file.ts";
import { isId, type PackId } from "../format/id.ts";
import { BackpakError, context } from "../lib/errors.ts";
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

/** Finds a WIP index in `workDir` (first deleting what killed runs left unfinished there); undefined when there is none. */
export async function findResumable(workDir: string, backend: Backend): Promise<Resumable | undefined> {
  removeAbandonedTemps(workDir);
  const wipPath = path.join(workDir, WIP_INDEX);
  if (!fs.existsSync(wipPath)) return undefined;
  log.info("WIP index file found, resuming where we left off...");
  let wip: IndexContents;
  try {
    wip = parseIndexFile(new Uint8Array(fs.readFileSync(wipPath)), wipPath).index;
  } catch (err) {
    throw context("corrupt", `Couldn't read ${wipPath}`, err, `delete ${wipPath} to start over`);
  }
  const localPacks = new Map<PackId, string>();
  for (const name of fs.readdirSync(workDir)) {
    const parts = name.split(".");
    if (parts.length !== 2 || parts[1] !== "pack" || !isId(parts[0]!)) continue;
    const id = parts[0] as PackId;
    const manifest = wip.packs.get(id);
    if (!manifest) {
      log.warn(`Found ${name} but it isn't in the WIP index. Ignoring`);
      continue;
    }
    const file = path.join(workDir, name);
    // The pack file must be whole: its manifest must still hash to its name.
    readPackLayout(new Uint8Array(fs.readFileSync(file)), id);
    localPacks.set(id, file);
  }
  const stored = new Map((await listObjects(backend, "pack")).map((p) => [p.id, p.size]));
  for (const [id, file] of localPacks) {
    // A run killed after the upload but before deleting the file: the stored copy is whole (puts
    // are atomic), so it isn't sent again. (A filtered repository stores other sizes: sent again.)
    if (stored.get(id) !== fs.statSync(file).size) continue;
    fs.rmSync(file);
    localPacks.delete(id);
    log.info(`Pack ${id} is already stored; removed its copy in the working directory`);
  }
  for (const id of wip.packs.keys()) {
    if (!localPacks.has(id) && !stored.has(id)) {
      throw new BackpakError("conflict", "WIP index file references packfiles not backed up or in the working directory.", {
        hint: `pack ${id} is missing; delete ${wipPath} to start over`,
      });
    }
  }
  return { wip, localPacks };
}
