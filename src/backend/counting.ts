/** A decorator that counts the requests a backend gets, by kind, and the bytes it reads and stores (for progress lines and -v). */
import fs from "node:fs";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";

export const REQUEST_KINDS = ["list", "get", "put", "delete"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** Bytes moved (what progress lines show). */
export interface Traffic {
  downloaded: number;
  uploaded: number;
}

/** Bytes moved, and requests made whether they succeeded or not: `read` and `openRange` are gets, `remove` a delete. */
export interface Tally extends Traffic {
  readonly requests: Record<RequestKind, number>;
}

export function newTally(): Tally {
  return { downloaded: 0, uploaded: 0, requests: { list: 0, get: 0, put: 0, delete: 0 } };
}

export class CountingBackend implements Backend {
  constructor(
    readonly inner: Backend,
    /** Where to count (several backends may share one tally). */
    readonly traffic: Tally = newTally(),
  ) {}

  get description(): string {
    return this.inner.description;
  }

  async read(key: string): Promise<Uint8Array> {
    this.traffic.requests.get++;
    const bytes = await this.inner.read(key);
    this.traffic.downloaded += bytes.length;
    return bytes;
  }

  async openRange(key: string): Promise<RangeReader> {
    this.traffic.requests.get++;
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
    this.traffic.requests.put++;
    const size = fs.statSync(localPath).size;
    await this.inner.put(key, localPath);
    this.traffic.uploaded += size;
  }

  remove(key: string): Promise<void> {
    this.traffic.requests.delete++;
    return this.inner.remove(key);
  }

  list(prefix: string): Promise<ListedObject[]> {
    this.traffic.requests.list++;
    return this.inner.list(prefix);
  }
}
