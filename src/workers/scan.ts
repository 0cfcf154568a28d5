/**
 * The pre-flight scan, run on a worker: walks the paths to back up with `fs/walker.ts` `Walker`
 * (stat, directory listing, symlink target, a readability check for files), writing one record
 * per entry into a ring the main thread drains. Excluded entries are left out before anything
 * under them is read; with --one-file-system a directory on another filesystem is kept, empty. An
 * entry that can't be read (permission denied, vanished, a name or symlink target that isn't
 * UTF-8) is left out with an Unreadable record naming it and why, and the scan goes on, so every
 * such entry is reported; a bad `.backpakignore` ends the scan with an error record.
 */
import { Excluder, type ExcludeSpec } from "../fs/excludes.ts";
import { skipMatcher } from "../fs/skips.ts";
import { Step, Walker } from "../fs/walker.ts";
import { BackpakError } from "../lib/errors.ts";
import { H, type Slots } from "../pipeline/protocol.ts";
import { Rec, ScanRecords } from "../pipeline/scan-records.ts";

export interface ScanRequest {
  readonly paths: readonly string[];
  readonly dereference: boolean;
  readonly skips: readonly string[];
  readonly excludes: ExcludeSpec;
}

const S_IFMT = 0o170000;
/**
 * Entries between the garbage collections the scan asks for. Left to itself the collector let the
 * scan worker's garbage (a name buffer, path strings and a stat record per entry) pile up: a scan
 * of a million files held 170 MB more at the backup's peak, and took no less time.
 */
const ENTRIES_PER_COLLECTION = 50_000;
const encoder = new TextEncoder();

/**
 * Records are published to the reader this many bytes at a time (and before waiting for room, and
 * at the end): publishing each record woke the main thread for every entry, two futex calls and a
 * thread switch per file.
 */
const PUBLISH_BYTES = 64 << 10;

/** Writes records into the ring [base, base + size), waiting while the reader catches up. */
class RingWriter {
  #head = 0;
  #unpublished = 0;
  constructor(
    readonly records: ScanRecords,
    readonly base: number,
    readonly size: number,
    readonly slots: Slots,
    readonly slot: number,
  ) {}

  #free(): number {
    const tail = Atomics.load(this.slots.i32, this.slots.at(this.slot, H.ScanTail));
    return this.#head >= tail ? this.size - this.#head + tail - 1 : tail - this.#head - 1;
  }

  /** Reserves `n` contiguous bytes (wrapping to the start when needed) and returns their offset. */
  reserve(n: number): number {
    for (;;) {
      const tailIdx = this.slots.at(this.slot, H.ScanTail);
      const tail = Atomics.load(this.slots.i32, tailIdx);
      if (this.#head + n < this.size && this.#free() >= n) return this.base + this.#head;
      if (this.#head + n >= this.size && tail > n && tail <= this.#head) {
        this.records.writeMark(this.base + this.#head, Rec.Wrap);
        this.#head = 0;
        this.publish();
        continue;
      }
      this.publish();
      Atomics.wait(this.slots.i32, tailIdx, tail, 50);
    }
  }

  commit(n: number): void {
    this.#head += n;
    this.#unpublished += n;
    if (this.#unpublished >= PUBLISH_BYTES) this.publish();
  }

  /** Lets the reader see every record written so far. */
  publish(): void {
    this.#unpublished = 0;
    const idx = this.slots.at(this.slot, H.ScanHead);
    Atomics.store(this.slots.i32, idx, this.#head);
    Atomics.notify(this.slots.i32, idx);
  }
}

export function scanPaths(req: ScanRequest, slots: Slots, slot: number, data: Uint8Array, base: number, size: number): void {
  const records = new ScanRecords(data);
  const ring = new RingWriter(records, base, size, slots, slot);
  const message = (kind: number, text: string): void => {
    const bytes = encoder.encode(text);
    const n = ScanRecords.messageLength(bytes);
    records.writeMessage(ring.reserve(n), kind, bytes);
    ring.commit(n);
  };
  const mark = (kind: number): void => {
    records.writeMark(ring.reserve(1), kind);
    ring.commit(1);
  };
  let entries = 0;
  /** An entry record: a top-level entry's name is its whole path. */
  const entry = (kind: number, w: Walker, target?: Uint8Array): void => {
    const name = w.top ? encoder.encode(w.path) : w.rawName!;
    const n = ScanRecords.entryLength(name, target);
    records.writeEntry(ring.reserve(n), kind, w.top, w.stat!, name, target);
    ring.commit(n);
    if (++entries % ENTRIES_PER_COLLECTION === 0) Bun.gc(false);
  };

  const w = new Walker(req.paths, { dereference: req.dereference, skip: skipMatcher(req.skips), excluder: new Excluder(req.excludes), access: true });
  try {
    for (let step = w.next(); step !== Step.End; step = w.next()) {
      switch (step) {
        case Step.Enter:
          entry(Rec.Enter, w);
          break;
        case Step.Exit:
          mark(Rec.Exit);
          break;
        case Step.File:
          entry(Rec.File, w);
          break;
        case Step.Symlink:
          entry(Rec.Symlink, w, w.target);
          break;
        case Step.Special:
          message(Rec.Special, `${(w.stat!.mode & S_IFMT).toString(8)} ${w.path}`);
          break;
        case Step.Unreadable:
          message(Rec.Unreadable, `${w.path}\t${w.why}`);
          break;
      }
    }
  } catch (err) {
    // A bad `.backpakignore` ends the scan (the excluder's errors are BackpakErrors); anything else fails the job.
    if (!(err instanceof BackpakError)) throw err;
    const cause = err.cause;
    message(Rec.Error, cause === undefined ? err.message : `${err.message}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  mark(Rec.End);
  ring.publish();
}
