/**
 * The main thread's side of the pre-flight scan: starts it on a worker, drains its records from
 * the ring into a compact log (a few dozen bytes an entry, against hundreds as objects), and
 * replays the log as scan events.
 */
import type { ExcludeSpec } from "../fs/excludes.ts";
import type { ScanEvent, ScannedEntry } from "../fs/walk.ts";
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { WorkerPool } from "./pool.ts";
import { H, JobType, ScanItem } from "./protocol.ts";
import { Rec, ScanRecords } from "./scan-records.ts";

export interface ScanOptions {
  readonly dereference: boolean;
  readonly skips: readonly string[];
  readonly excludes: ExcludeSpec;
}

const encoder = new TextEncoder();

/** A scan running on a worker, writing into the ring [base, base + size) of the pool's data buffer. */
export class ScanJob {
  /** Regular files found so far, and the sum of their sizes: the backup's totals once the scan ended. */
  files = 0;
  bytes = 0;
  /** Entries left out because they can't be read, in walk order. */
  readonly unreadable: { readonly path: string; readonly why: string }[] = [];
  #log = new Uint8Array(1 << 20);
  #len = 0;
  #tail = 0;
  #error: string | undefined;
  #ended = false;
  readonly #slot: number;
  readonly #ring: ScanRecords;

  constructor(
    readonly pool: WorkerPool,
    paths: readonly string[],
    opts: ScanOptions,
    readonly base: number,
    readonly size: number,
  ) {
    // The request goes at the start of the ring, which the worker reads before writing records there.
    const request = JSON.stringify({ paths, dereference: opts.dereference, skips: opts.skips, excludes: opts.excludes });
    const { read, written } = encoder.encodeInto(request, pool.data.subarray(base, base + size));
    if (read < request.length) throw new BackpakError("usage", "Too many or too long paths and exclude patterns to back up at once", { hint: "back up a common parent directory, and use fewer or shorter patterns" });
    const slot = pool.take(JobType.Scan);
    const slots = pool.slots;
    slots.setItem(slot, 0, ScanItem, { offset: base, size, requestLength: written });
    slots.set(slot, H.ScanHead, 0);
    slots.set(slot, H.ScanTail, 0);
    slots.set(slot, H.Items, 1);
    pool.submit(slot, 0);
    this.#slot = slot;
    this.#ring = new ScanRecords(pool.data);
  }

  /** Copies what the worker has written into the log; true once the scan ended. */
  drain(): boolean {
    const slots = this.pool.slots;
    const ring = this.#ring;
    const head = Atomics.load(slots.i32, slots.at(this.#slot, H.ScanHead));
    while (this.#tail !== head && !this.#ended) {
      const at = this.base + this.#tail;
      const kind = ring.kind(at);
      if (kind === Rec.Wrap) {
        this.#tail = 0;
        continue;
      }
      const n = ring.length(at);
      switch (kind) {
        case Rec.End:
          this.#ended = true;
          break;
        case Rec.Error:
          this.#error ??= ring.message(at);
          break;
        case Rec.Unreadable: {
          const text = ring.message(at);
          const tab = text.lastIndexOf("\t");
          this.unreadable.push({ path: text.slice(0, tab), why: text.slice(tab + 1) });
          break;
        }
        case Rec.Special: {
          const text = ring.message(at);
          log.warn(`Skipping special file (${text.slice(0, text.indexOf(" "))}) ${text.slice(text.indexOf(" ") + 1)}`);
          break;
        }
        case Rec.File:
          this.files++;
          this.bytes += ring.size(at);
          this.#append(at, n);
          break;
        default:
          this.#append(at, n);
      }
      this.#tail += n;
    }
    const tailIdx = slots.at(this.#slot, H.ScanTail);
    Atomics.store(slots.i32, tailIdx, this.#tail);
    Atomics.notify(slots.i32, tailIdx);
    return this.#ended;
  }

  #append(at: number, n: number): void {
    if (this.#len + n > this.#log.length) {
      const next = new Uint8Array(Math.max(this.#log.length * 2, this.#len + n));
      next.set(this.#log.subarray(0, this.#len));
      this.#log = next;
    }
    this.#log.set(this.pool.data.subarray(at, at + n), this.#len);
    this.#len += n;
  }

  /** Waits for the scan to end; returns its log, or throws the problem it found. */
  async finish(): Promise<Uint8Array> {
    const slots = this.pool.slots;
    const headIdx = slots.at(this.#slot, H.ScanHead);
    while (!this.drain()) {
      if (this.pool.finished(this.#slot)) {
        this.pool.complete(this.#slot); // throws if the worker failed or died
        if (!this.drain()) throw new BackpakError("internal", "the scan stopped without ending its log");
        break;
      }
      const head = Atomics.load(slots.i32, headIdx);
      if (head === this.#tail && Atomics.wait(slots.i32, headIdx, head, 50) === "timed-out") {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    while (!this.pool.finished(this.#slot)) await new Promise((resolve) => setImmediate(resolve));
    this.pool.complete(this.#slot);
    this.pool.release(this.#slot);
    if (this.#error !== undefined) throw new BackpakError("io", this.#error);
    return this.#log.subarray(0, this.#len);
  }
}

/** Replays a scan log as events, rebuilding each entry's absolute path. */
export function* replayScan(logBytes: Uint8Array): Generator<ScanEvent> {
  const records = new ScanRecords(logBytes);
  const dirs: ScannedEntry[] = [];
  for (let at = 0; at < logBytes.length; at += records.length(at)) {
    const kind = records.kind(at);
    if (kind === Rec.Exit) {
      yield { kind: "exit", entry: dirs.pop()! };
      continue;
    }
    const { top, stat, name: nameText, target } = records.entry(at);
    const path = top ? nameText : `${dirs[dirs.length - 1]!.path}/${nameText}`;
    const name = top ? nameText.slice(nameText.lastIndexOf("/") + 1) : nameText;
    const { mode, uid, gid, atime, mtime, ctime } = stat;
    if (kind === Rec.File) {
      const entry: ScannedEntry = { path, name, metadata: { type: "posix", mode, size: stat.size, uid, gid, atime, mtime }, ctime };
      yield { kind: "file", entry };
    } else {
      const entry: ScannedEntry = { path, name, metadata: { type: "posix", mode, uid, gid, atime, mtime }, ctime };
      if (kind === Rec.Enter) {
        dirs.push(entry);
        yield { kind: "enter", entry };
      } else {
        yield { kind: "symlink", entry, target: target! };
      }
    }
  }
}
