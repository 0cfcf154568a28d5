/**
 * The working directory is scratch space: writers first check they can write there. Temporary
 * files in it (unfinished packs, snapshots, dump scratch, WIP indexes being rewritten) are named
 * with the ID of the process writing them, so a later run can delete the ones a killed run left
 * behind without touching those of a run still going. An interrupted run deletes its own.
 */
import fs from "node:fs";
import path from "node:path";
import { BackpakError, context } from "../lib/errors.ts";
import { randomTag } from "../lib/fsutil.ts";
import { onInterrupt } from "../lib/interrupt.ts";
import { log } from "../lib/log.ts";
import { processExists } from "../lib/processes.ts";

export type WorkTempKind = "pack" | "snapshot" | "dump";

/** The process ID in a temporary file's name: `temp-backpak-<pid>-<hex>.<kind>`, or a WIP index being replaced, `backpak-wip.index.<pid>-<hex>.part`. */
const TEMP_NAME = /^(?:temp-backpak-|backpak-wip\.index\.)(\d+)-[0-9a-f]+(?:\.pack|\.snapshot|\.dump|\.part)$/;

/** This process's temporary paths (finished ones have been renamed away; removing them is a no-op). */
const ours: string[] = [];
let registered = false;

/** Throws, saying what the directory is for and what to do, unless this process can write in `workDir`. */
export function checkScratchDir(workDir: string): void {
  try {
    fs.accessSync(workDir, fs.constants.W_OK);
  } catch (err) {
    throw new BackpakError("io", `Can't write in ${workDir}, the scratch directory for packs, indexes and snapshots`, {
      cause: err,
      hint: "they are written in the working directory before they are stored: run backpak in a directory you can write to, or give one with -C <DIR>",
    });
  }
}

/** The error for a failed write of `file` in the scratch directory: it names the file, and a full disk says where to make room. */
export function scratchWriteError(file: string, err: unknown): BackpakError {
  const full = (err as NodeJS.ErrnoException).code === "ENOSPC";
  const hint = full ? `the scratch directory is full: free some space in ${path.dirname(file)}, or run backpak with -C <DIR> on a disk with room; the next run resumes where this one stopped` : undefined;
  return context("io", `Couldn't write ${file} in the scratch directory`, err, hint);
}

/** Runs `write`, which writes `file` in the scratch directory, naming the file if it fails (see scratchWriteError). */
export function scratchWrite<T>(file: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    throw scratchWriteError(file, err);
  }
}

/** A tag naming this process, for temporary names a later run may clean up once the process is gone. */
export function workTempTag(): string {
  return `${process.pid}-${randomTag()}`;
}

/** A fresh temporary path in `workDir` for this process, deleted if the process is interrupted. */
export function workTempPath(workDir: string, kind: WorkTempKind): string {
  const p = path.join(workDir, `temp-backpak-${workTempTag()}.${kind}`);
  ours.push(p);
  if (!registered) {
    registered = true;
    onInterrupt(() => {
      for (const t of ours) fs.rmSync(t, { force: true });
    });
  }
  return p;
}

/** Deletes the temporary files in `workDir` whose process is gone; returns their names. */
export function removeAbandonedTemps(workDir: string): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(workDir)) {
    const pid = TEMP_NAME.exec(name)?.[1];
    if (pid === undefined || processExists(Number(pid))) continue;
    fs.rmSync(path.join(workDir, name), { force: true });
    log.info(`Removed ${name}, left unfinished by an interrupted run`);
    removed.push(name);
  }
  return removed;
}
