/**
 * The pre-flight scan, run on a worker: walks the paths to back up (stat, directory listing,
 * symlink target, a readability check for files), writing one record per entry into a ring the
 * main thread drains. Excluded entries are left out before anything under them is read; with
 * --one-file-system a directory on another filesystem is kept, empty. Problems (a name that isn't
 * UTF-8, an unreadable file, a bad `.backpakignore`) end the scan with an error record naming the path.
 */
import fs from "node:fs";
import { Excluder, isExcluded, type DirRules, type ExcludeSpec } from "../fs/excludes.ts";
import { reach } from "../fs/long-path.ts";
import { statx } from "../fs/statx.ts";
import { ENTRY_HEADER, Rec, SCAN_HEAD, SCAN_TAIL } from "../pipeline/scan-records.ts";
import type { Slots } from "../pipeline/protocol.ts";

export interface ScanRequest {
  readonly paths: readonly string[];
  readonly dereference: boolean;
  readonly skips: readonly string[];
  readonly excludes: ExcludeSpec;
}

const S_IFMT = 0o170000;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

class ScanFailed extends Error {}

/** Writes records into the ring [base, base + size), waiting while the reader catches up. */
class RingWriter {
  readonly #view: DataView;
  #head = 0;
  constructor(
    readonly data: Uint8Array,
    readonly base: number,
    readonly size: number,
    readonly slots: Slots,
    readonly slot: number,
  ) {
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  #free(): number {
    const tail = Atomics.load(this.slots.i32, this.slots.at(this.slot, SCAN_TAIL));
    return this.#head >= tail ? this.size - this.#head + tail - 1 : tail - this.#head - 1;
  }

  /** Reserves `n` contiguous bytes (wrapping to the start when needed) and returns their offset. */
  reserve(n: number): number {
    for (;;) {
      const tailIdx = this.slots.at(this.slot, SCAN_TAIL);
      const tail = Atomics.load(this.slots.i32, tailIdx);
      if (this.#head + n < this.size && this.#free() >= n) return this.base + this.#head;
      if (this.#head + n >= this.size && tail > n && tail <= this.#head) {
        this.data[this.base + this.#head] = Rec.Wrap;
        this.#head = 0;
        this.#publish();
        continue;
      }
      Atomics.wait(this.slots.i32, tailIdx, tail, 50);
    }
  }

  commit(n: number): void {
    this.#head += n;
    this.#publish();
  }

  #publish(): void {
    const idx = this.slots.at(this.slot, SCAN_HEAD);
    Atomics.store(this.slots.i32, idx, this.#head);
    Atomics.notify(this.slots.i32, idx);
  }

  view(): DataView {
    return this.#view;
  }
}

export function scanPaths(req: ScanRequest, slots: Slots, slot: number, data: Uint8Array, base: number, size: number): void {
  const ring = new RingWriter(data, base, size, slots, slot);
  const skips = req.skips.map((p) => new RegExp(p));
  const excluder = new Excluder(req.excludes);
  const dv = ring.view();
  const message = (kind: number, text: string): void => {
    const bytes = encoder.encode(text);
    const at = ring.reserve(5 + bytes.length);
    data[at] = kind;
    dv.setUint32(at + 1, bytes.length, true);
    data.set(bytes, at + 5);
    ring.commit(5 + bytes.length);
  };
  const mark = (kind: number): void => {
    data[ring.reserve(1)] = kind;
    ring.commit(1);
  };
  const entry = (kind: number, top: boolean, st: Stat, name: Uint8Array, target?: Uint8Array): void => {
    const n = ENTRY_HEADER + name.length + (target ? 2 + target.length : 0);
    const at = ring.reserve(n);
    data[at] = kind;
    data[at + 1] = top ? 1 : 0;
    dv.setUint32(at + 2, st.mode, true);
    dv.setUint32(at + 6, st.uid, true);
    dv.setUint32(at + 10, st.gid, true);
    dv.setFloat64(at + 14, st.size, true);
    dv.setBigInt64(at + 22, st.atime, true);
    dv.setBigInt64(at + 30, st.mtime, true);
    dv.setBigInt64(at + 38, st.ctime, true);
    dv.setUint16(at + 46, name.length, true);
    data.set(name, at + ENTRY_HEADER);
    if (target) {
      dv.setUint16(at + ENTRY_HEADER + name.length, target.length, true);
      data.set(target, at + ENTRY_HEADER + 2 + name.length);
    }
    ring.commit(n);
  };
  const fail = (msg: string, err?: unknown): never => {
    throw new ScanFailed(err === undefined ? msg : `${msg}: ${err instanceof Error ? err.message : String(err)}`);
  };

  /** Visits one entry, under the rules of its directory, in a walk started on the device `dev`. */
  const visit = (path: string, text: string, name: Uint8Array, top: boolean, rules: DirRules, dev: number): void => {
    if (skips.some((re) => re.test(path))) return;
    const st = stat(path, req.dereference) ?? fail(`Couldn't stat ${path}`, lastError);
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
          return fail(`Failed iterating subdirectory ${path}`, err);
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
          if (t === undefined) return fail(`Failed iterating subdirectory ${path}: the name ${JSON.stringify(n.toString("latin1"))} (bytes ${n.toString("hex")}) isn't valid UTF-8`);
          visit(`${path}/${t}`, t, n, false, inner, top ? st.dev : dev);
        }
        mark(Rec.Exit);
        return;
      }
      case 0o120000: {
        let target: Buffer;
        try {
          target = fs.readlinkSync(reach(path), { encoding: "buffer" });
          strictUtf8.decode(target);
        } catch (err) {
          return fail(`Couldn't get the UTF-8 symlink target of ${path}`, err);
        }
        entry(Rec.Symlink, top, st, name, target);
        return;
      }
      case 0o100000:
        try {
          fs.accessSync(reach(path), fs.constants.R_OK);
        } catch (err) {
          return fail(`Can't open ${path}`, err);
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
