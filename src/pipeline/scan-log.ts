/**
 * The main thread's side of the pre-flight scan: starts it on a worker, drains its records from
 * the ring into a compact log (a few dozen bytes an entry, against hundreds as objects), and
 * replays the log as scan events. The log stays in memory up to SCAN_LOG_MEMORY bytes; past that
 * it goes to a file in the scratch directory (unlinked at once, so nothing is left behind), read
 * back piece by piece, so a million files hold 4 MiB of log rather than 64.
 */
import fs from "node:fs";
import path from "node:path";
import type { ExcludeSpec } from "../fs/excludes.ts";
import type { ScanEvent, ScannedEntry } from "../fs/walk.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { writeFullyAt } from "../lib/fsutil.ts";
import { log } from "../lib/log.ts";
import type { WorkerPool } from "./pool.ts";
import { H, JobType, ScanItem } from "./protocol.ts";
import { LONGEST_RECORD, Rec, ScanRecords } from "./scan-records.ts";

export interface ScanOptions {
  readonly dereference: boolean;
  readonly skips: readonly string[];
  readonly excludes: ExcludeSpec;
}

const encoder = new TextEncoder();

/** The most log bytes held in memory: past that, the log is written to its file. A record is far shorter (LONGEST_RECORD). */
const SCAN_LOG_MEMORY = 4 << 20;

/** A finished scan's log: records in its file (if it grew that long), then the ones still in memory. */
export class ScanLog {
  /** Bytes read back from the file at a time (never fewer than the longest record). */
  readonly pieceBytes: number;

  constructor(
    /** The file the first records went to, open and already unlinked, and how many bytes it holds. */
    readonly spilled: { readonly fd: number; readonly bytes: number } | undefined,
    readonly tail: Uint8Array,
    pieceBytes = SCAN_LOG_MEMORY,
  ) {
    this.pieceBytes = Math.max(pieceBytes, LONGEST_RECORD);
  }

  /** The log as runs of whole records, in order; each run is valid only until the next is asked for. */
  *pieces(): Generator<Uint8Array> {
    const file = this.spilled;
    if (file) {
      const buf = new Uint8Array(this.pieceBytes);
      const records = new ScanRecords(buf);
      let kept = 0;
      for (let pos = 0; pos < file.bytes; ) {
        const n = fs.readSync(file.fd, buf, kept, Math.min(buf.length - kept, file.bytes - pos), pos);
        if (n <= 0) throw new BackpakError("io", "The scan log in the scratch directory ended early", { hint: "check the scratch directory's disk, then run the backup again" });
        pos += n;
        const end = kept + n;
        let whole = 0;
        for (let len = records.lengthWithin(0, end); len > 0; len = records.lengthWithin(whole, end)) whole += len;
        yield buf.subarray(0, whole);
        buf.copyWithin(0, whole, end);
        kept = end - whole;
      }
      if (kept !== 0) throw new BackpakError("internal", "the scan log's file ends in the middle of a record");
    }
    yield this.tail;
  }

  /** Closes the log's file (it was unlinked when made, so this frees its space). */
  close(): void {
    if (this.spilled) fs.closeSync(this.spilled.fd);
  }
}

/** A scan running on a worker, writing into the ring [base, base + size) of the pool's data buffer. */
export class ScanJob {
  /** Regular files found so far, and the sum of their sizes: the backup's totals once the scan ended. */
  files = 0;
  bytes = 0;
  /** Entries left out because they can't be read, in walk order. */
  readonly unreadable: { readonly path: string; readonly why: string }[] = [];
  #log: Uint8Array;
  #len = 0;
  /** The log's file, once the log outgrew memory, and the bytes written to it. */
  #fd: number | undefined;
  #spilled = 0;
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
    /** Where the log goes once it outgrows `memoryBytes` (the run's scratch directory). */
    readonly spillDir: string,
    readonly memoryBytes = SCAN_LOG_MEMORY,
  ) {
    this.#log = new Uint8Array(Math.min(1 << 20, memoryBytes));
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

  /** The bytes of log held in memory (at most `memoryBytes`, or one record when that is longer). */
  get residentBytes(): number {
    return this.#log.length;
  }

  #append(at: number, n: number): void {
    if (this.#len + n > this.#log.length) {
      if (this.#log.length >= this.memoryBytes) this.#spill();
      if (this.#len + n > this.#log.length) {
        const next = new Uint8Array(Math.max(Math.min(this.#log.length * 2, this.memoryBytes), this.#len + n));
        next.set(this.#log.subarray(0, this.#len));
        this.#log = next;
      }
    }
    this.#log.set(this.pool.data.subarray(at, at + n), this.#len);
    this.#len += n;
  }

  /** Writes the records in memory to the end of the log's file (made on first use). */
  #spill(): void {
    const file = path.join(this.spillDir, `scan-${process.pid}-${crypto.randomUUID()}.log`);
    try {
      if (this.#fd === undefined) {
        this.#fd = fs.openSync(file, "wx+", 0o600);
        fs.unlinkSync(file);
      }
      writeFullyAt(this.#fd, this.#log.subarray(0, this.#len), this.#spilled);
    } catch (err) {
      this.#closeFile();
      throw context("io", `Couldn't write the scan log in ${this.spillDir}`, err, "free some space in the scratch directory, or give one on a disk with room with --scratch-dir DIR");
    }
    this.#spilled += this.#len;
    this.#len = 0;
  }

  #closeFile(): void {
    if (this.#fd !== undefined) fs.closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Waits for the scan to end; returns its log (close it when done), or throws the problem it found. */
  async finish(): Promise<ScanLog> {
    try {
      return await this.#finish();
    } catch (err) {
      this.#closeFile();
      throw err;
    }
  }

  async #finish(): Promise<ScanLog> {
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
    const tail = this.#log.subarray(0, this.#len);
    return new ScanLog(this.#fd === undefined ? undefined : { fd: this.#fd, bytes: this.#spilled }, tail, this.memoryBytes);
  }
}

/** Replays a scan log as events, rebuilding each entry's absolute path. */
export function* replayScan(log: ScanLog): Generator<ScanEvent> {
  const dirs: ScannedEntry[] = [];
  for (const logBytes of log.pieces()) yield* replayRecords(logBytes, dirs);
}

/** Replays whole records, with `dirs` the directories open before them (and after them, once done). */
function* replayRecords(logBytes: Uint8Array, dirs: ScannedEntry[]): Generator<ScanEvent> {
  const records = new ScanRecords(logBytes);
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
