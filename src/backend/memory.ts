/** An in-memory backend for tests: the same contract, no disk. */
import fs from "node:fs";
import { BackpakError } from "../lib/errors.ts";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";

export class MemoryBackend implements Backend {
  readonly description = "Memory";
  readonly objects = new Map<string, Uint8Array>();

  async read(key: string): Promise<Uint8Array> {
    const v = this.objects.get(key);
    if (!v) throw new BackpakError("not-found", `Couldn't find ${key}`);
    return v.slice();
  }

  async openRange(key: string): Promise<RangeReader> {
    const v = await this.read(key);
    return {
      size: v.length,
      readInto(target, position) {
        const part = v.subarray(position, position + target.length);
        target.set(part);
        return part.length;
      },
      close: () => {},
    };
  }

  async put(key: string, localPath: string): Promise<void> {
    this.objects.set(key, new Uint8Array(fs.readFileSync(localPath)));
    fs.unlinkSync(localPath);
  }

  async remove(key: string): Promise<void> {
    if (!this.objects.delete(key)) throw new BackpakError("not-found", `Couldn't find ${key}`);
  }

  async list(prefix: string): Promise<ListedObject[]> {
    return [...this.objects].filter(([k]) => k.startsWith(prefix)).map(([key, v]) => ({ key, size: v.length }));
  }
}
