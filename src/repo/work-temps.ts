/**
 * Temporary files in a run's scratch directory (unfinished packs, snapshots, dump scratch,
 * resume indexes being rewritten) are named with the ID of the process writing them; an
 * interrupted run deletes its own. The PID in the name also lets a run tell whether the
 * working directory scratch of an earlier version is still in use. Failed writes there name
 * the file, and a full disk says where to make room.
 */
import fs from "node:fs";
import path from "node:path";
import { BackpakError, context } from "../lib/errors.ts";
import { randomTag } from "../lib/fsutil.ts";
import { onInterrupt } from "../lib/interrupt.ts";

export type WorkTempKind = "pack" | "snapshot" | "dump";

/** The process ID in a temporary file's name: `temp-backpak-<pid>-<hex>.<kind>`, or a WIP journal being replaced, `backpak-wip.journal.<pid>-<hex>.part` (`backpak-wip.index.` from earlier versions). */
const TEMP_NAME = /^(?:temp-backpak-|backpak-wip\.(?:index|journal)\.)(\d+)-[0-9a-f]+(?:\.pack|\.snapshot|\.dump|\.part)$/;

/** This process's temporary paths (finished ones have been renamed away; removing them is a no-op). */
const ours: string[] = [];
let registered = false;

/** The error for a failed write of `file` in the scratch directory: it names the file, and a full disk says where to make room. */
export function scratchWriteError(file: string, err: unknown): BackpakError {
  const full = (err as NodeJS.ErrnoException).code === "ENOSPC";
  const hint = full ? `the scratch directory is full: free some space in ${path.dirname(file)}, or give one on a disk with room with --scratch-dir DIR; the next run resumes where this one stopped` : undefined;
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

/** A tag naming this process, for temporary names. */
export function workTempTag(): string {
  return `${process.pid}-${randomTag()}`;
}

/** A fresh temporary path in `dir` for this process, deleted if the process is interrupted. */
export function workTempPath(dir: string, kind: WorkTempKind): string {
  const p = path.join(dir, `temp-backpak-${workTempTag()}.${kind}`);
  ours.push(p);
  if (!registered) {
    registered = true;
    onInterrupt(() => {
      for (const t of ours) fs.rmSync(t, { force: true });
    });
  }
  return p;
}

/** The ID of the process that writes the temporary file `name`; undefined when it isn't one. */
export function tempOwner(name: string): number | undefined {
  const pid = TEMP_NAME.exec(name)?.[1];
  return pid === undefined ? undefined : Number(pid);
}
