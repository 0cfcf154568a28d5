/**
 * A typed, allocation-light CBOR reader for the hot formats (trees and manifests): the caller asks
 * for the item it expects next, and anything else is reported as corruption, naming the object.
 */
import { BackpakError } from "../lib/errors.ts";
import { idFromDigest, type IdKind, type ObjectId } from "./id.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
/** Interned map keys, by a hash of their bytes. */
const KEYS = new Map<number, string>();

/** What a cursor over part of a stream throws when an item runs past the bytes it has: the reader rewinds to the item's start and waits for more. */
export class NeedMore {}
const NEED_MORE = new NeedMore();

/** Where a cursor's bytes sit in a stream: `base` bytes came before them, and with `partial` more may follow. */
export interface CursorWindow {
  readonly base: number;
  readonly partial: boolean;
}

const WHOLE: CursorWindow = { base: 0, partial: false };

export class CborCursor {
  pos = 0;
  readonly #view: DataView;
  /** The same bytes as a Buffer, whose latin1 slicing makes ASCII strings fastest. */
  readonly #buf: Buffer;

  constructor(
    readonly data: Uint8Array,
    readonly what: string,
    readonly window: CursorWindow = WHOLE,
  ) {
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  fail(msg: string): never {
    throw new BackpakError("corrupt", `CBOR decoding of ${this.what} failed at byte ${this.window.base + this.pos}: ${msg}`);
  }

  get done(): boolean {
    return this.pos >= this.data.length;
  }

  #need(n: number): void {
    if (this.pos + n > this.data.length) {
      if (this.window.partial) throw NEED_MORE;
      this.fail("unexpected end of data");
    }
  }

  /** Reads a head of `major` type; returns its argument, -1 for indefinite length. */
  #head(major: number): number {
    this.#need(1);
    const b = this.data[this.pos]!;
    if (b >> 5 !== major) this.fail(`expected major type ${major}, found ${b >> 5}`);
    this.pos++;
    const info = b & 31;
    if (info < 24) return info;
    switch (info) {
      case 24:
        this.#need(1);
        return this.data[this.pos++]!;
      case 25:
        this.#need(2);
        this.pos += 2;
        return this.#view.getUint16(this.pos - 2);
      case 26:
        this.#need(4);
        this.pos += 4;
        return this.#view.getUint32(this.pos - 4);
      case 27: {
        this.#need(8);
        this.pos += 8;
        const v = this.#view.getBigUint64(this.pos - 8);
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : this.fail("integer too large");
      }
      case 31:
        return major >= 2 && major <= 5 ? -1 : this.fail("indefinite length not allowed here");
      default:
        return this.fail(`reserved additional information ${info}`);
    }
  }

  /** A map's entry count, or -1 for an indefinite map (then read until `atBreak`). */
  map(): number {
    return this.#head(5);
  }

  array(): number {
    return this.#head(4);
  }

  /** Consumes a break (end of an indefinite container) if one is next. */
  atBreak(): boolean {
    this.#need(1);
    if (this.data[this.pos] !== 0xff) return false;
    this.pos++;
    return true;
  }

  nextIsNull(): boolean {
    this.#need(1);
    if (this.data[this.pos] !== 0xf6) return false;
    this.pos++;
    return true;
  }

  uint(): number {
    return this.#head(0);
  }

  /** A signed integer that may exceed 2^53 (timestamps in nanoseconds). */
  bigint(): bigint {
    this.#need(1);
    const b = this.data[this.pos]!;
    const major = b >> 5;
    const info = b & 31;
    if (major > 1) this.fail("expected an integer");
    this.pos++;
    let v: bigint;
    if (info < 24) v = BigInt(info);
    else if (info === 24) {
      this.#need(1);
      v = BigInt(this.data[this.pos++]!);
    } else if (info === 25) {
      this.#need(2);
      v = BigInt(this.#view.getUint16(this.pos));
      this.pos += 2;
    } else if (info === 26) {
      this.#need(4);
      v = BigInt(this.#view.getUint32(this.pos));
      this.pos += 4;
    } else if (info === 27) {
      this.#need(8);
      v = this.#view.getBigUint64(this.pos);
      this.pos += 8;
    } else {
      return this.fail(`reserved additional information ${info}`);
    }
    return major === 0 ? v : -1n - v;
  }

  text(): string {
    const n = this.#head(3);
    if (n < 0) this.fail("indefinite text not supported here");
    this.#need(n);
    const start = this.pos;
    this.pos += n;
    const d = this.data;
    let ascii = true;
    for (let i = start; i < start + n; i++) {
      if (d[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return this.#buf.toString("latin1", start, start + n);
    try {
      return strictUtf8.decode(d.subarray(start, start + n));
    } catch {
      return this.fail("text string is not valid UTF-8");
    }
  }

  /**
   * A map key: like `text`, but short ASCII keys come from a cache (field names repeat for every
   * node, and making a fresh string each time dominates decoding).
   */
  key(): string {
    this.#need(1);
    const b = this.data[this.pos]!;
    const n = b & 31;
    if (b >> 5 !== 3 || n > 16 || this.pos + 1 + n > this.data.length) return this.text();
    let h = n;
    for (let i = this.pos + 1; i <= this.pos + n; i++) h = (Math.imul(h, 31) + this.data[i]!) | 0;
    const hit = KEYS.get(h);
    if (hit !== undefined && hit.length === n && this.#matches(hit, this.pos + 1)) {
      this.pos += 1 + n;
      return hit;
    }
    const s = this.text();
    if (KEYS.size < 1024) KEYS.set(h, s);
    return s;
  }

  #matches(s: string, at: number): boolean {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== this.data[at + i]) return false;
    return true;
  }

  /** A 28-byte byte string, as an object ID. */
  id<K extends IdKind>(): ObjectId<K> {
    return idFromDigest<K>(this.data, this.digestAt());
  }

  /** A 28-byte byte string (an ID's digest), read in place: where it starts in `data`. */
  digestAt(): number {
    const n = this.#head(2);
    if (n !== 28) this.fail(`expected a 28-byte ID, found ${n} bytes`);
    this.#need(28);
    this.pos += 28;
    return this.pos - 28;
  }

  /** Skips one item of any type (unknown fields are ignored, as serde ignores them). */
  skip(depth = 0): void {
    if (depth > 64) this.fail("nesting too deep");
    this.#need(1);
    const b = this.data[this.pos]!;
    const major = b >> 5;
    if (major === 7) {
      const info = b & 31;
      const n = 1 + (info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0);
      this.#need(n);
      this.pos += n;
      return;
    }
    const n = this.#head(major);
    if (major === 2 || major === 3) {
      if (n < 0) while (!this.atBreak()) this.skip(depth + 1);
      else {
        this.#need(n);
        this.pos += n;
      }
    } else if (major === 4 || major === 5) {
      const per = major === 5 ? 2 : 1;
      if (n < 0) while (!this.atBreak()) for (let k = 0; k < per; k++) this.skip(depth + 1);
      else for (let i = 0; i < n * per; i++) this.skip(depth + 1);
    } else if (major === 6) {
      this.skip(depth + 1);
    }
  }
}
