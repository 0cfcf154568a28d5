/** A decorator that counts the bytes a backend reads and stores (for progress lines). */
import fs from "node:fs";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";

export interface Traffic {
  downloaded: number;
  uploaded: number;
}

export class CountingBackend implements Backend {
  constructor(
    readonly inner: Backend,
    /** Where to count (several backends may share one tally). */
    readonly traffic: Traffic = { downloaded: 0, uploaded: 0 },
  ) {}

  get description(): string {
    return this.inner.description;
  }

  async read(key: string): Promise<Uint8Array> {
    const bytes = await this.inner.read(key);
    this.traffic.downloaded += bytes.length;
    return bytes;
  }

  async openRange(key: string): Promise<RangeReader> {
    const r = await this.inner.openRange(key);
    const traffic = this.traffic;
    return {
      size: r.size,
      readInto(target, position) {
        const n = r.readInto(target, position);
        traffic.downloaded += n;
        return n;
      },
      close: () => r.close(),
    };
  }

  async put(key: string, localPath: string): Promise<void> {
    const size = fs.statSync(localPath).size;
    await this.inner.put(key, localPath);
    this.traffic.uploaded += size;
  }

  remove(key: string): Promise<void> {
    return this.inner.remove(key);
  }

  list(prefix: string): Promise<ListedObject[]> {
    return this.inner.list(prefix);
  }
}
