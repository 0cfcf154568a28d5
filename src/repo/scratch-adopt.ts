/**
 * Adopting what dead runs left: their resume indexes (and the pack sizes recorded beside them)
 * are merged into this run's, the finished packs they list are moved into this run's directory
 * (to be stored as a resumed run stores its own), and everything else they left (temporary
 * files, unlisted finished files) is deleted.
 */
import fs from "node:fs";
import path from "node:path";
import type { IndexContents } from "../format/index-file.ts";
import { isId, type IndexId, type PackId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import { PRIVATE_FILE, syncDir, writeFileAtomic } from "../lib/fsutil.ts";
import { log } from "../lib/log.ts";
import { processExists } from "../lib/processes.ts";
import { buildIndexFile } from "./index-file.ts";
import { WIP_INDEX } from "./indexer.ts";
import { readWip } from "./resume.ts";
import { readWipSizes, WIP_SIZES, writeWipSizes } from "./wip-sizes.ts";
import { tempOwner, workTempTag } from "./work-temps.ts";

/** The prefix of a dead run's directory once a run has claimed it (renamed it into its own). */
export const ADOPTED = "adopted-";

/** The file in a run directory that says which process it belongs to (see scratch-dir.ts). */
export const RUN_FILE = "process";

/** A dead run's state: its resume index, the sizes recorded for its packs, and the files of the finished packs it lists. */
interface Salvage {
  readonly packs: Map<PackId, Manifest>;
  readonly supersedes: Set<IndexId>;
  readonly sizes: Map<PackId, number>;
  readonly files: Map<PackId, string>;
}

const emptySalvage = (): Salvage => ({ packs: new Map(), supersedes: new Set(), sizes: new Map(), files: new Map() });

/**
 * Moves the state of a dead run's directory `from` (already renamed into `runDir`, so no other
 * run adopts it too) into `runDir`, then deletes `from`. The merged resume index is written
 * first, so a kill midway leaves every pack listed by a resume index the next run adopts.
 */
export function adoptRunDir(runDir: string, from: string): void {
  absorb(runDir, salvage(from, false));
  fs.rmSync(from, { recursive: true, force: true });
  syncDir(runDir);
  log.info(`Adopted what an interrupted run left in ${from}`);
}

/**
 * Adopts the scratch state an earlier version of backpak left in the working directory
 * `workDir` (a resume index and packs), unless a live process still writes there.
 */
export function adoptLegacyState(runDir: string, workDir: string): void {
  const wipPath = path.join(workDir, WIP_INDEX);
  if (!fs.existsSync(wipPath)) return;
  const busy = fs.readdirSync(workDir).some((n) => {
    const pid = tempOwner(n);
    return pid !== undefined && pid !== process.pid && processExists(pid);
  });
  if (busy) {
    log.info(`Leaving ${wipPath} alone: a running backpak is using it`);
    return;
  }
  absorb(runDir, salvage(workDir, true));
  fs.rmSync(wipPath, { force: true });
  syncDir(workDir);
  log.info(`Adopted the resume state an earlier version of backpak left in ${workDir}`);
}

/**
 * Reads `dir`'s resume index (and those of run directories adopted into it) and deletes the
 * scratch files it doesn't list. In a `legacy` working directory only backpak's own names count
 * as scratch; a run directory is all scratch.
 */
function salvage(dir: string, legacy: boolean): Salvage {
  const out = emptySalvage();
  const wipPath = path.join(dir, WIP_INDEX);
  try {
    if (fs.existsSync(wipPath)) merge(out, { ...readWip(wipPath), sizes: readWipSizes(dir) });
  } catch (err) {
    log.warn(`${(err as Error).message}; the packs it lists will be made again`);
  }
  const listed = new Set(out.packs.keys());
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!legacy && entry.name.startsWith(ADOPTED)) merge(out, salvage(file, false));
      continue;
    }
    const finished = finishedPack(entry.name);
    const scratch = legacy ? finished !== undefined || tempOwner(entry.name) !== undefined : entry.name !== RUN_FILE;
    if (entry.name === WIP_INDEX || entry.name === WIP_SIZES || !scratch) continue;
    if (finished?.kind === "pack" && listed.has(finished.id)) {
      out.files.set(finished.id, file);
      continue;
    }
    fs.rmSync(file, { force: true });
    log.info(`Removed ${file}, left by an interrupted run`);
  }
  return out;
}

function merge(into: Salvage, from: IndexContents & { sizes: ReadonlyMap<PackId, number>; files?: ReadonlyMap<PackId, string> }): void {
  for (const [id, m] of from.packs) into.packs.set(id, m);
  for (const s of from.supersedes) into.supersedes.add(s);
  for (const [id, size] of from.sizes) into.sizes.set(id, size);
  for (const [id, file] of from.files ?? []) into.files.set(id, file);
}

/** Merges `s` into `runDir`'s resume index (the sizes first, as a run writes them), then moves its packs there. */
function absorb(runDir: string, s: Salvage): void {
  if (s.packs.size === 0 && s.supersedes.size === 0) return;
  const ownWip = path.join(runDir, WIP_INDEX);
  const merged = emptySalvage();
  if (fs.existsSync(ownWip)) merge(merged, { ...readWip(ownWip), sizes: readWipSizes(runDir) });
  merge(merged, s);
  writeWipSizes(runDir, merged.sizes, merged.packs.keys());
  writeFileAtomic(ownWip, buildIndexFile(merged).file, PRIVATE_FILE, workTempTag());
  for (const [id, file] of s.files) {
    const dest = path.join(runDir, `${id}.pack`);
    if (fs.existsSync(dest)) fs.rmSync(file, { force: true });
    else moveIfThere(file, dest);
  }
}

/** Renames `file` to `dest`; a file another run took meanwhile is left to it. */
function moveIfThere(file: string, dest: string): void {
  try {
    fs.renameSync(file, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** The ID and kind of a finished file's name, `<id>.pack` (or `.index`, `.snapshot`); undefined for other names. */
function finishedPack(name: string): { id: PackId; kind: string } | undefined {
  const m = /^(.+)\.(pack|index|snapshot)$/.exec(name);
  return m && isId(m[1]!) ? { id: m[1] as PackId, kind: m[2]! } : undefined;
}
