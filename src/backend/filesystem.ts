/**
 * A repository in a local directory: objects are plain files, writes move finished files into place.
 * A folder missing under the root (`locks/` in a repository made by backpak 0.3.0) lists as empty
 * and is made by the first put into it.
 */
import fs from "node:fs";
import path from "node:path";
import { asPlainBytes } from "../lib/bytes.ts";
import { BackpakError } from "../lib/errors.ts";
import { moveFile, openFileRange, syncDir } from "../lib/fsutil.ts";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";

/** Files ending in this are in-progress copies and never listed. */
export const PART_SUFFIX = ".part";

export class FilesystemBackend implements Backend {
  readonly description: string;
  constructor(readonly root: string) {
    this.description = `Filesystem ${root}`;
  }

  #path(key: string): string {
    return path.join(this.root, key);
  }

  async read(key: string): Promise<Uint8Array> {
    try {
      return asPlainBytes(fs.readFileSync(this.#path(key)));
    } catch (err) {
      throw notFoundOr(err, key, this.#path(key));
    }
  }

  async openRange(key: string): Promise<RangeReader> {
    try {
      return openFileRange(this.#path(key));
    } catch (err) {
      throw notFoundOr(err, key, this.#path(key));
    }
  }

  async put(key: string, localPath: string): Promise<void> {
    const dest = this.#path(key);
    try {
      if (!fs.existsSync(path.dirname(dest))) {
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        syncDir(path.dirname(path.dirname(dest)));
      }
      moveFile(localPath, dest);
    } catch (err) {
      throw new BackpakError("io", `Couldn't store ${localPath} as ${dest}`, { cause: err });
    }
  }

  async remove(key: string): Promise<void> {
    const file = this.#path(key);
    try {
      fs.unlinkSync(file);
    } catch (err) {
      throw notFoundOr(err, key, file);
    }
    // Durable before the next step: prune deletes packs only once the indexes naming them are gone for good.
    syncDir(path.dirname(file));
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const out: ListedObject[] = [];
    const walk = (rel: string): void => {
      for (const e of fs.readdirSync(this.#path(rel), { withFileTypes: true })) {
        const key = rel === "" ? e.name : `${rel.replace(/\/$/, "")}/${e.name}`;
        if (e.isDirectory()) walk(key);
        else if (!e.name.endsWith(PART_SUFFIX)) out.push({ key, size: fs.statSync(this.#path(key)).size });
      }
    };
    try {
      walk(prefix);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" && !fs.existsSync(this.#path(prefix)) && fs.existsSync(this.root)) return [];
      throw new BackpakError("io", `Couldn't list ${this.#path(prefix)}`, { cause: err });
    }
    return out;
  }
}

function notFoundOr(err: unknown, key: string, p: string): BackpakError {
  if ((err as NodeJS.ErrnoException).code === "ENOENT") {
    return new BackpakError("not-found", `Couldn't find ${key} (${p})`, { cause: err });
  }
  return new BackpakError("io", `Couldn't access ${p}`, { cause: err });
}
