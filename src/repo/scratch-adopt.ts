/**
 * Adopting what dead runs left: their WIP journals (with the pack sizes they record) are merged
 * into this run's, the finished packs they list are moved into this run's directory (to be
 * stored as a resumed run stores its own), and everything else they left (temporary files,
 * unlisted finished files) is deleted. A WIP index an earlier version left (`backpak-wip.index`,
 * in a run directory or the working directory) is still read, its packs trusted at the sizes the
 * repository lists, as that version did without its sizes file.
 */
import fs from "node:fs";
import path from "node:path";
import type { IndexContents } from "../format/index-file.ts";
import { isId, type IndexId, type PackId } from "../format/id.ts";
import { encodeManifest, type Manifest } from "../format/manifest.ts";
import { context } from "../lib/errors.ts";
import { syncDir } from "../lib/fsutil.ts";
import { log } from "../lib/log.ts";
import { processExists } from "../lib/processes.ts";
import { parseIndexFile } from "./index-file.ts";
import { readJournal, WIP_JOURNAL, writeJournal } from "./wip-journal.ts";
import { tempOwner } from "./work-temps.ts";

/** The resume index earlier versions rewrote after each pack, in place of the journal. */
const LEGACY_WIP_INDEX = "backpak-wip.index";
/** The sizes of its packs, written beside it by some of those versions: not read, and not adopted as scratch. */
const LEGACY_WIP_SIZES = "backpak-wip.sizes";

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
  const wipPath = path.join(workDir, LEGACY_WIP_INDEX);
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
 * Reads `dir`'s journal or earlier version's WIP index (and those of run directories adopted into
 * it) and deletes the scratch files they don't list. In a `legacy` working directory only
 * backpak's own names count as scratch; a run directory is all scratch.
 */
function salvage(dir: string, legacy: boolean): Salvage {
  const out = emptySalvage();
  const wipPath = path.join(dir, LEGACY_WIP_INDEX);
  try {
    if (fs.existsSync(wipPath)) merge(out, { ...readWip(wipPath), sizes: new Map() });
    merge(out, readJournal(dir));
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
    if (entry.name === LEGACY_WIP_INDEX || entry.name === LEGACY_WIP_SIZES || entry.name === WIP_JOURNAL || !scratch) continue;
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

/** Merges `s` into `runDir`'s journal, then moves its packs there. */
function absorb(runDir: string, s: Salvage): void {
  if (s.packs.size === 0 && s.supersedes.size === 0) return;
  const merged = emptySalvage();
  merge(merged, readJournal(runDir));
  merge(merged, s);
  const manifests = new Map([...merged.packs].map(([id, m]) => [id, encodeManifest(m)]));
  writeJournal(runDir, manifests, merged.supersedes, merged.sizes);
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

/** Reads the WIP index an earlier version left at `wipPath`, saying what to do when it can't be read. */
function readWip(wipPath: string): IndexContents {
  try {
    return parseIndexFile(new Uint8Array(fs.readFileSync(wipPath)), wipPath).index;
  } catch (err) {
    throw context("corrupt", `Couldn't read ${wipPath}`, err, `delete ${wipPath} to start over`);
  }
}
