/**
 * A repository's scratch directory: each run writes its packs, indexes, snapshots and resume
 * index in its own subdirectory `<host>-<pid>/` (mode 0700, with a file recording the process's
 * start time), so runs side by side never share one. At start a run adopts the subdirectories
 * of this host's dead runs (see scratch-adopt.ts); subdirectories of live runs and of other hosts
 * (a home shared over NFS) are left alone. At exit a run removes its subdirectory unless a
 * resume index there waits for the next run.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BackpakError } from "../lib/errors.ts";
import { ensurePrivateDir, PRIVATE_FILE, randomTag, writeFileAtomic } from "../lib/fsutil.ts";
import { isSameProcess, processStartTime } from "../lib/process-identity.ts";
import { hasJournal } from "./wip-journal.ts";
import { ADOPTED, adoptLegacyState, adoptRunDir, RUN_FILE } from "./scratch-adopt.ts";

export interface ScratchOptions {
  /** What the scratch directory is for (the repository's location), written beside the runs for whoever looks in. */
  readonly label: string;
  /** A working directory where an earlier version may have left a resume index, to adopt once. */
  readonly legacyDir?: string;
  /** How to change the scratch directory, for the error when it can't be written. */
  readonly hint: string;
}

/** A run directory's name: `<host>-<pid>`, with a `~<tag>` suffix once a later process with the same PID set it aside. */
const RUN_NAME = /^(.+)-(\d+)(?:~[0-9a-f]+)?$/;

/** Makes this run's directory under `root`, adopting what dead runs left; returns its path. */
export function openRunDir(root: string, opts: ScratchOptions): string {
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, "_");
  const own = path.join(root, `${host}-${process.pid}`);
  try {
    ensurePrivateDir(root);
    fs.accessSync(root, fs.constants.W_OK);
    if (!fs.existsSync(path.join(root, LABEL_FILE))) writeFileAtomic(path.join(root, LABEL_FILE), `${opts.label}\n`, PRIVATE_FILE);
    // Left by a dead process that had this PID: set aside, to be adopted like any other.
    if (fs.existsSync(own)) fs.renameSync(own, `${own}~${randomTag()}`);
    fs.mkdirSync(own, { mode: 0o700 });
    writeFileAtomic(path.join(own, RUN_FILE), `${processStartTime(process.pid) ?? ""}\n`, PRIVATE_FILE);
  } catch (err) {
    throw new BackpakError("io", `Can't write in ${root}, the scratch directory for packs, indexes and snapshots waiting to be stored`, { cause: err, hint: opts.hint });
  }
  process.on("exit", () => {
    if (!hasJournal(own)) fs.rmSync(own, { recursive: true, force: true });
  });
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const name = entry.name;
    const m = entry.isDirectory() ? RUN_NAME.exec(name) : null;
    if (!m || m[1] !== host || path.join(root, name) === own || isLive(path.join(root, name), Number(m[2]))) continue;
    const claimed = path.join(own, `${ADOPTED}${name}`);
    try {
      // Atomic: of two runs starting together, one adopts it.
      fs.renameSync(path.join(root, name), claimed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    adoptRunDir(own, claimed);
  }
  if (opts.legacyDir !== undefined) adoptLegacyState(own, opts.legacyDir);
  return own;
}

/** The file in the scratch directory naming the repository it is for. */
const LABEL_FILE = "repository";

/** True while the process that made run directory `dir` runs (a missing start time file means it is just starting). */
function isLive(dir: string, pid: number): boolean {
  let started: string | undefined;
  try {
    started = fs.readFileSync(path.join(dir, RUN_FILE), "utf8").trim() || undefined;
  } catch {
    started = undefined;
  }
  return isSameProcess(pid, started);
}
