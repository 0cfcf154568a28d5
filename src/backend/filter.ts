/**
 * A decorator that passes every object through a pair of shell commands (spec §2.5): `put` stores
 * what `sh -c <filter>` makes of the local file, reads give back what `sh -c <unfilter>` makes of
 * the stored object (e.g. gpg encryption at rest). Listing and removal pass straight through.
 */
import fs from "node:fs";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";
import { anonymousScratchFile, scratchDirOf, scratchPath, type ScratchDir } from "./local-file.ts";
import { fdRange } from "../lib/fsutil.ts";
import { describeExit, runShell, shellFailure, type ShellOutput, type ShellResult } from "./shell.ts";

export interface FilterOptions {
  /** Where filtered and unfiltered scratch files go (see ScratchDir). */
  readonly scratchDir?: ScratchDir;
}

export class FilterBackend implements Backend {
  readonly description: string;

  constructor(
    readonly inner: Backend,
    readonly filter: string,
    readonly unfilter: string,
    readonly options: FilterOptions = {},
  ) {
    this.description = `${inner.description} (filtered through ${filter})`;
  }

  #scratchDir(): string {
    return scratchDirOf(this.options.scratchDir);
  }

  async put(key: string, localPath: string): Promise<void> {
    log.debug(`${this.filter} > ${key}`);
    const filtered = scratchPath(this.#scratchDir(), "filtered");
    let inFd: number | undefined;
    let outFd: number | undefined;
    try {
      inFd = fs.openSync(localPath, "r");
      outFd = fs.openSync(filtered, "wx", 0o600);
      const r = await runShell(this.filter, { fd: inFd }, { fd: outFd });
      if (r.code !== 0) throw shellFailure(`${this.filter} > ${key} ${describeExit(r)}`, r);
      logStderr(this.filter, r);
      // The inner backend may move this file into place, and a stored object must be durable.
      fs.fsyncSync(outFd);
    } catch (err) {
      fs.rmSync(filtered, { force: true });
      throw wrap(err, `Couldn't filter ${localPath} into ${key}`);
    } finally {
      if (inFd !== undefined) fs.closeSync(inFd);
      if (outFd !== undefined) fs.closeSync(outFd);
    }
    try {
      await this.inner.put(key, filtered);
    } finally {
      fs.rmSync(filtered, { force: true });
    }
    fs.unlinkSync(localPath);
  }

  async read(key: string): Promise<Uint8Array> {
    return (await this.#unfilter(key, "collect")).stdout;
  }

  /** Unfilters the whole object into an anonymous scratch file and reads windows of that. */
  async openRange(key: string): Promise<RangeReader> {
    const fd = anonymousScratchFile(this.#scratchDir(), "unfiltered");
    try {
      await this.#unfilter(key, { fd });
      return fdRange(fd);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  async #unfilter(key: string, output: ShellOutput): Promise<ShellResult> {
    log.debug(`${this.unfilter} < ${key}`);
    // Opened first, so a missing object fails as not-found before anything runs.
    const stored = await this.inner.openRange(key);
    try {
      const r = await runShell(this.unfilter, { reader: stored }, output);
      if (r.code !== 0) throw shellFailure(`${this.unfilter} < ${key} ${describeExit(r)}`, r);
      if (r.feedError !== undefined) {
        throw new BackpakError("io", `Couldn't feed ${key} to ${this.unfilter}`, { cause: r.feedError });
      }
      logStderr(this.unfilter, r);
      return r;
    } finally {
      stored.close();
    }
  }

  remove(key: string): Promise<void> {
    return this.inner.remove(key);
  }

  list(prefix: string): Promise<ListedObject[]> {
    return this.inner.list(prefix);
  }
}

/** A command that succeeded may still have said something worth seeing when debugging. */
function logStderr(command: string, r: ShellResult): void {
  const said = r.stderr.trim();
  if (said !== "") log.debug(`${command}: ${said}`);
}

function wrap(err: unknown, message: string): BackpakError {
  if (err instanceof BackpakError) return err;
  return new BackpakError("io", message, { cause: err });
}
