/**
 * The pre-flight scan, run on a worker: walks the paths to back up (stat, directory listing,
 * symlink target, a readability check for files), writing one record per entry into a ring the
 * main thread drains. Excluded entries are left out before anything under them is read; with
 * --one-file-system a directory on another filesystem is kept, empty. An entry that can't be read
 * (permission denied, vanished, a name or symlink target that isn't UTF-8) is left out with an
 * Unreadable record naming it and why, and the scan goes on, so every such entry is reported; a
 * bad `.backpakignore` ends the scan with an error record.
 */
import fs from "node:fs";
import { Excluder, isExcluded, type DirRules, type ExcludeSpec } from "../fs/excludes.ts";
import { reach } from "../fs/long-path.ts";
import { statx } from "../fs/statx.ts";
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
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

class ScanFailed extends Error {}

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
  const skips = req.skips.map((p) => new RegExp(p));
  const excluder = new Excluder(req.excludes);
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
  const entry = (kind: number, top: boolean, st: Stat, name: Uint8Array, target?: Uint8Array): void => {
    const n = ScanRecords.entryLength(name, target);
    records.writeEntry(ring.reserve(n), kind, top, st, name, target);
    ring.commit(n);
    if (++entries % ENTRIES_PER_COLLECTION === 0) Bun.gc(false);
  };
  const fail = (msg: string, err?: unknown): never => {
    throw new ScanFailed(err === undefined ? msg : `${msg}: ${err instanceof Error ? err.message : String(err)}`);
  };
  /** Leaves out an entry that can't be read, recording it as "path\twhy". */
  const skip = (path: string, why: string): void => message(Rec.Unreadable, `${path}\t${why}`);

  /** Visits one entry, under the rules of its directory, in a walk started on the device `dev`. */
  const visit = (path: string, text: string, name: Uint8Array, top: boolean, rules: DirRules, dev: number): void => {
    if (skips.some((re) => re.test(path))) return;
    const st = stat(path, req.dereference);
    if (st === undefined) return skip(path, req.dereference && stat(path, false) !== undefined ? "dangling symlink, with --dereference" : unreadableWhy(lastError));
    const type = st.mode & S_IFMT;
    if (rules.length > 0 && isExcluded(rules, path, text, type === 0o040000)) return;
    switch (type) {
      case 0o040000: {
        if (excluder.oneFileSystem && !top && st.dev !== dev) {
          entry(Rec.Enter, top, st, name);
          mark(Rec.Exit);
          return;
        }
        let names: Buffer[];
        try {
          names = fs.readdirSync(reach(path), { encoding: "buffer" });
        } catch (err) {
          return skip(`${path}/`, unreadableWhy(err));
        }
        names.sort(Buffer.compare);
        // A name that isn't UTF-8 fails the scan only once the directory is known not to be left out.
        const texts = names.map((n) => {
          try {
            return strictUtf8.decode(n);
          } catch {
            return undefined;
          }
        });
        let inner: DirRules | undefined;
        try {
          inner = excluder.enter(rules, path, texts.filter((t) => t !== undefined));
        } catch (err) {
          return fail((err as Error).message, (err as Error).cause);
        }
        if (inner === undefined) return;
        entry(Rec.Enter, top, st, name);
        for (const [i, t] of texts.entries()) {
          const n = names[i]!;
          if (t === undefined) skip(`${path}/${JSON.stringify(n.toString("latin1"))}`, `non-UTF-8 name (bytes ${n.toString("hex")})`);
          else visit(`${path}/${t}`, t, n, false, inner, top ? st.dev : dev);
        }
        mark(Rec.Exit);
        return;
      }
      case 0o120000: {
        let target: Buffer;
        try {
          target = fs.readlinkSync(reach(path), { encoding: "buffer" });
        } catch (err) {
          return skip(path, unreadableWhy(err));
        }
        try {
          strictUtf8.decode(target);
        } catch {
          return skip(path, `non-UTF-8 symlink target (bytes ${target.toString("hex")})`);
        }
        entry(Rec.Symlink, top, st, name, target);
        return;
      }
      case 0o100000:
        try {
          fs.accessSync(reach(path), fs.constants.R_OK);
        } catch (err) {
          return skip(path, unreadableWhy(err));
        }
        entry(Rec.File, top, st, name);
        return;
      default:
        message(Rec.Special, `${(st.mode & S_IFMT).toString(8)} ${path}`);
    }
  };

  try {
    for (const p of req.paths) visit(p, p.slice(p.lastIndexOf("/") + 1), encoder.encode(p), true, excluder.top, 0);
  } catch (err) {
    if (!(err instanceof ScanFailed)) throw err;
    message(Rec.Error, err.message);
  }
  mark(Rec.End);
  ring.publish();
}

interface Stat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
  dev: number;
}

/** Why an entry can't be read, in a few words: "permission denied", "vanished" or the system's message. */
function unreadableWhy(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT" || code === "ENOTDIR") return "vanished";
  return err instanceof Error ? err.message : String(err);
}

let lastError: unknown;
function stat(longPath: string, follow: boolean): Stat | undefined {
  const path = reach(longPath);
  const s = statx(path, follow);
  if (s) return s;
  try {
    const b = follow ? fs.statSync(path, { bigint: true }) : fs.lstatSync(path, { bigint: true });
    return { mode: Number(b.mode), uid: Number(b.uid), gid: Number(b.gid), size: Number(b.size), atime: b.atimeNs, mtime: b.mtimeNs, ctime: b.ctimeNs, dev: Number(b.dev) };
  } catch (err) {
    lastError = err;
    return undefined;
  }
}
