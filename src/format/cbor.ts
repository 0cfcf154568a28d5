/**
 * The subset of CBOR (RFC 8949) backpak's files use, written exactly as ciborium 0.2 writes it:
 * shortest integer heads, definite arrays and maps except where a caller asks for an indefinite map,
 * byte strings for IDs. (Reading is cbor-cursor.ts.)
 */
import { BackpakError } from "../lib/errors.ts";
import { ID_BYTES, idDigestInto, type ObjectId } from "./id.ts";

const MAJOR_UINT = 0;
const MAJOR_NEGINT = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const BREAK = 0xff;

const textEncoder = new TextEncoder();

/** The bytes of the head of an item whose argument is `n` (a length or a small unsigned integer). */
export function headLength(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** Appends CBOR items to a growing buffer. */
export class CborWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  /** `sizeHint`: the expected size, so the buffer rarely has to grow. */
  constructor(sizeHint = 256) {
    this.#buf = new Uint8Array(Math.max(16, sizeHint));
    this.#view = new DataView(this.#buf.buffer);
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  #head(major: number, value: number | bigint): void {
    const m = major << 5;
    if (typeof value === "number" && value <= 0xffffffff) {
      if (value < 24) {
        this.#reserve(1);
        this.#buf[this.#len++] = m | value;
      } else if (value < 0x100) {
        this.#reserve(2);
        this.#buf[this.#len++] = m | 24;
        this.#buf[this.#len++] = value;
      } else if (value < 0x10000) {
        this.#reserve(3);
        this.#buf[this.#len++] = m | 25;
        this.#view.setUint16(this.#len, value);
        this.#len += 2;
      } else {
        this.#reserve(5);
        this.#buf[this.#len++] = m | 26;
        this.#view.setUint32(this.#len, value);
        this.#len += 4;
      }
      return;
    }
    const v = typeof value === "bigint" ? value : BigInt(value);
    if (v <= 0xffffffffn) return this.#head(major, Number(v));
    if (v >= 0x10000000000000000n) throw new BackpakError("internal", `CBOR integer ${v} does not fit in 64 bits`);
    this.#reserve(9);
    this.#buf[this.#len++] = m | 27;
    this.#view.setBigUint64(this.#len, v);
    this.#len += 8;
  }

  /** An integer, positive or negative, in its shortest form. */
  int(value: number | bigint): this {
    if (typeof value === "number") {
      if (value >= 0) this.#head(MAJOR_UINT, value);
      else this.#head(MAJOR_NEGINT, BigInt(-1 - value));
    } else if (value >= 0n) this.#head(MAJOR_UINT, value);
    else this.#head(MAJOR_NEGINT, -1n - value);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#head(MAJOR_BYTES, b.length);
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  /** An ID as a byte string of its 28-byte digest, decoded straight into the buffer. */
  idBytes(id: ObjectId): this {
    this.#head(MAJOR_BYTES, ID_BYTES);
    this.#reserve(ID_BYTES);
    idDigestInto(id, this.#buf, this.#len);
    this.#len += ID_BYTES;
    return this;
  }

  /** Appends bytes that are already CBOR (one encoded item or more), as they are. */
  raw(b: Uint8Array): this {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  text(s: string): this {
    // Most names are ASCII: write them straight in; otherwise let the encoder do it.
    const n = s.length;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) return this.#textBytes(textEncoder.encode(s));
    this.#head(MAJOR_TEXT, n);
    this.#reserve(n);
    for (let i = 0; i < n; i++) this.#buf[this.#len + i] = s.charCodeAt(i);
    this.#len += n;
    return this;
  }

  #textBytes(b: Uint8Array): this {
    this.#head(MAJOR_TEXT, b.length);
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  array(length: number): this {
    this.#head(MAJOR_ARRAY, length);
    return this;
  }

  map(length: number): this {
    this.#head(MAJOR_MAP, length);
    return this;
  }

  /** Starts an indefinite-length map; close it with `end()`. */
  indefiniteMap(): this {
    this.#reserve(1);
    this.#buf[this.#len++] = (MAJOR_MAP << 5) | 31;
    return this;
  }

  end(): this {
    this.#reserve(1);
    this.#buf[this.#len++] = BREAK;
    return this;
  }

  null(): this {
    this.#reserve(1);
    this.#buf[this.#len++] = 0xf6;
    return this;
  }

  /**
   * The bytes written so far: a copy, or the buffer itself when they fill it exactly (a writer
   * sized in advance), since anything written after goes to a new buffer.
   */
  finish(): Uint8Array {
    return this.#len === this.#buf.length ? this.#buf : this.#buf.slice(0, this.#len);
  }
}
