/**
 * The pre-flight scan's records, as a worker writes them into a ring of the shared data buffer
 * and the main thread reads them (from the ring, then from its log): a compact log of every entry
 * (kind, stat fields, name) in walk order. This is the one place that knows their layout; both
 * sides go through `ScanRecords`. Little-endian:
 *
 * - entries (Enter, File, Symlink): kind u8, top u8, mode u32, uid u32, gid u32, size f64,
 *   atime i64, mtime i64, ctime i64, name length u16, name (the full path for top-level entries);
 *   for symlinks then target length u16 and target;
 * - messages (Error, Special, Unreadable): kind u8, length u32, a UTF-8 message or path
 *   (Unreadable: the path, a tab, and why it couldn't be read);
 * - marks (Exit, Wrap, End): kind u8 alone.
 */
import type { RawStat } from "../fs/statx.ts";

export const Rec = { Enter: 1, Exit: 2, File: 3, Symlink: 4, Special: 5, Error: 6, Wrap: 7, End: 8, Unreadable: 9 } as const;

/** Byte offsets of an entry's fields from the start of its record. */
const E = { Top: 1, Mode: 2, Uid: 6, Gid: 10, Size: 14, Atime: 22, Mtime: 30, Ctime: 38, NameLength: 46, Name: 48 } as const;
const MESSAGE_TEXT = 5;
/** The longest record the log keeps: a symlink with a name and a target of 65,535 bytes each. */
export const LONGEST_RECORD = E.Name + 0xffff + 2 + 0xffff;

/** The stat fields an entry record carries. */
export type RecordStat = Pick<RawStat, "mode" | "uid" | "gid" | "size" | "atime" | "mtime" | "ctime">;

export interface EntryRecord {
  readonly top: boolean;
  readonly stat: RecordStat;
  readonly name: string;
  /** A symlink's target. */
  readonly target?: string;
}

const decoder = new TextDecoder();

/** Encodes and decodes records at byte offsets of `bytes`. */
export class ScanRecords {
  readonly #view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  static entryLength(name: Uint8Array, target?: Uint8Array): number {
    return E.Name + name.length + (target ? 2 + target.length : 0);
  }

  static messageLength(text: Uint8Array): number {
    return MESSAGE_TEXT + text.length;
  }

  /** Writes an entry record at `at` (entryLength bytes). */
  writeEntry(at: number, kind: number, top: boolean, st: RecordStat, name: Uint8Array, target?: Uint8Array): void {
    const dv = this.#view;
    this.bytes[at] = kind;
    this.bytes[at + E.Top] = top ? 1 : 0;
    dv.setUint32(at + E.Mode, st.mode, true);
    dv.setUint32(at + E.Uid, st.uid, true);
    dv.setUint32(at + E.Gid, st.gid, true);
    dv.setFloat64(at + E.Size, st.size, true);
    dv.setBigInt64(at + E.Atime, st.atime, true);
    dv.setBigInt64(at + E.Mtime, st.mtime, true);
    dv.setBigInt64(at + E.Ctime, st.ctime, true);
    dv.setUint16(at + E.NameLength, name.length, true);
    this.bytes.set(name, at + E.Name);
    if (target) {
      dv.setUint16(at + E.Name + name.length, target.length, true);
      this.bytes.set(target, at + E.Name + name.length + 2);
    }
  }

  /** Writes a message record at `at` (messageLength bytes). */
  writeMessage(at: number, kind: number, text: Uint8Array): void {
    this.bytes[at] = kind;
    this.#view.setUint32(at + 1, text.length, true);
    this.bytes.set(text, at + MESSAGE_TEXT);
  }

  /** Writes a one-byte mark. */
  writeMark(at: number, kind: number): void {
    this.bytes[at] = kind;
  }

  kind(at: number): number {
    return this.bytes[at]!;
  }

  /** The length of the record at `at`, whatever its kind. */
  length(at: number): number {
    switch (this.bytes[at]) {
      case Rec.Exit:
      case Rec.Wrap:
      case Rec.End:
        return 1;
      case Rec.Error:
      case Rec.Special:
      case Rec.Unreadable:
        return MESSAGE_TEXT + this.#view.getUint32(at + 1, true);
      case Rec.Symlink: {
        const targetAt = at + E.Name + this.#view.getUint16(at + E.NameLength, true);
        return targetAt - at + 2 + this.#view.getUint16(targetAt, true);
      }
      default:
        return E.Name + this.#view.getUint16(at + E.NameLength, true);
    }
  }

  /** The length of the record at `at` if all of it lies before `end`, else -1 (a record cut short, as a piece read from a file may end). */
  lengthWithin(at: number, end: number): number {
    const room = end - at;
    if (room < 1 || room < this.#lengthKnownFrom(at, room)) return -1;
    const n = this.length(at);
    return n <= room ? n : -1;
  }

  /** How many bytes of the record at `at` tell its length, `room` of them being there. */
  #lengthKnownFrom(at: number, room: number): number {
    const kind = this.bytes[at];
    if (kind === Rec.Exit || kind === Rec.Wrap || kind === Rec.End) return 1;
    if (kind === Rec.Error || kind === Rec.Special || kind === Rec.Unreadable) return MESSAGE_TEXT;
    if (kind !== Rec.Symlink || room < E.Name) return E.Name;
    return E.Name + this.#view.getUint16(at + E.NameLength, true) + 2;
  }

  /** The size field of an entry record. */
  size(at: number): number {
    return this.#view.getFloat64(at + E.Size, true);
  }

  message(at: number): string {
    return decoder.decode(this.bytes.subarray(at + MESSAGE_TEXT, at + MESSAGE_TEXT + this.#view.getUint32(at + 1, true)));
  }

  entry(at: number): EntryRecord {
    const dv = this.#view;
    const nameEnd = at + E.Name + dv.getUint16(at + E.NameLength, true);
    const stat: RecordStat = {
      mode: dv.getUint32(at + E.Mode, true),
      uid: dv.getUint32(at + E.Uid, true),
      gid: dv.getUint32(at + E.Gid, true),
      size: dv.getFloat64(at + E.Size, true),
      atime: dv.getBigInt64(at + E.Atime, true),
      mtime: dv.getBigInt64(at + E.Mtime, true),
      ctime: dv.getBigInt64(at + E.Ctime, true),
    };
    const name = decoder.decode(this.bytes.subarray(at + E.Name, nameEnd));
    const top = this.bytes[at + E.Top] === 1;
    if (this.bytes[at] !== Rec.Symlink) return { top, stat, name };
    const targetLength = dv.getUint16(nameEnd, true);
    return { top, stat, name, target: decoder.decode(this.bytes.subarray(nameEnd + 2, nameEnd + 2 + targetLength)) };
  }
}
