/**
 * The subset of CBOR (RFC 8949) backpak's files use, written exactly as ciborium 0.2 writes it:
 * shortest integer heads, definite arrays and maps except where a caller asks for an indefinite map,
 * byte strings for IDs. The decoder accepts definite and indefinite containers alike.
 */
import { BackpakError } from "../lib/errors.ts";

const MAJOR_UINT = 0;
const MAJOR_NEGINT = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const MAJOR_TAG = 6;
const MAJOR_SIMPLE = 7;
const BREAK = 0xff;

const textEncoder = new TextEncoder();

/** Appends CBOR items to a growing buffer. */
export class CborWriter {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

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
    const v = typeof value === "bigint" ? value : BigInt(value);
    const m = major << 5;
    if (v < 24n) {
      this.#reserve(1);
      this.#buf[this.#len++] = m | Number(v);
    } else if (v < 0x100n) {
      this.#reserve(2);
      this.#buf[this.#len++] = m | 24;
      this.#buf[this.#len++] = Number(v);
    } else if (v < 0x10000n) {
      this.#reserve(3);
      this.#buf[this.#len++] = m | 25;
      this.#view.setUint16(this.#len, Number(v));
      this.#len += 2;
    } else if (v < 0x100000000n) {
      this.#reserve(5);
      this.#buf[this.#len++] = m | 26;
      this.#view.setUint32(this.#len, Number(v));
      this.#len += 4;
    } else if (v < 0x10000000000000000n) {
      this.#reserve(9);
      this.#buf[this.#len++] = m | 27;
      this.#view.setBigUint64(this.#len, v);
      this.#len += 8;
    } else {
      throw new BackpakError("internal", `CBOR integer ${v} does not fit in 64 bits`);
    }
  }

  /** An integer, positive or negative, in its shortest form. */
  int(value: number | bigint): this {
    const v = typeof value === "bigint" ? value : BigInt(value);
    if (v >= 0n) this.#head(MAJOR_UINT, v);
    else this.#head(MAJOR_NEGINT, -1n - v);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#head(MAJOR_BYTES, b.length);
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  text(s: string): this {
    return this.#textBytes(textEncoder.encode(s));
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

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** A decoded CBOR value. Maps keep their order; keys may be any value (index files key by byte string). */
export type CborValue =
  | number
  | bigint
  | string
  | Uint8Array
  | boolean
  | null
  | undefined
  | CborValue[]
  | CborMap
  | CborTagged;
export type CborMap = Map<CborValue, CborValue>;
export interface CborTagged {
  tag: bigint;
  value: CborValue;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes exactly one CBOR item from `data`; `what` names the object in error messages. */
export function decodeCbor(data: Uint8Array, what: string): CborValue {
  const r = new CborReader(data, what);
  const v = r.item();
  if (r.pos !== data.length) r.fail(`${data.length - r.pos} trailing bytes`);
  return v;
}

class CborReader {
  pos = 0;
  readonly #view: DataView;
  constructor(
    readonly data: Uint8Array,
    readonly what: string,
  ) {
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  fail(msg: string): never {
    throw new BackpakError("corrupt", `CBOR decoding of ${this.what} failed at byte ${this.pos}: ${msg}`);
  }

  #need(n: number): void {
    if (this.pos + n > this.data.length) this.fail("unexpected end of data");
  }

  /** Reads the argument of a head; returns -1 for "indefinite". */
  #arg(info: number): number | bigint {
    if (info < 24) return info;
    switch (info) {
      case 24:
        this.#need(1);
        return this.data[this.pos++]!;
      case 25: {
        this.#need(2);
        const v = this.#view.getUint16(this.pos);
        this.pos += 2;
        return v;
      }
      case 26: {
        this.#need(4);
        const v = this.#view.getUint32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.#need(8);
        const v = this.#view.getBigUint64(this.pos);
        this.pos += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 31:
        return -1;
      default:
        return this.fail(`reserved additional information ${info}`);
    }
  }

  #length(info: number): number {
    const n = this.#arg(info);
    if (typeof n === "bigint") this.fail("length too large");
    return n;
  }

  #isBreak(): boolean {
    this.#need(1);
    if (this.data[this.pos] === BREAK) {
      this.pos++;
      return true;
    }
    return false;
  }

  item(depth = 0): CborValue {
    if (depth > 64) this.fail("nesting too deep");
    this.#need(1);
    const initial = this.data[this.pos++]!;
    const major = initial >> 5;
    const info = initial & 31;
    switch (major) {
      case MAJOR_UINT: {
        const v = this.#arg(info);
        if (v === -1) this.fail("indefinite integer");
        return v;
      }
      case MAJOR_NEGINT: {
        const v = this.#arg(info);
        if (v === -1) this.fail("indefinite integer");
        if (typeof v === "bigint" || v >= Number.MAX_SAFE_INTEGER) {
          const r = -1n - BigInt(v);
          return r >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(r) : r;
        }
        return -1 - v;
      }
      case MAJOR_BYTES:
      case MAJOR_TEXT: {
        const n = this.#length(info);
        let raw: Uint8Array;
        if (n === -1) {
          const parts: Uint8Array[] = [];
          while (!this.#isBreak()) {
            const part = this.item(depth + 1);
            if (major === MAJOR_BYTES ? !(part instanceof Uint8Array) : typeof part !== "string") {
              this.fail("bad chunk in indefinite string");
            }
            parts.push(typeof part === "string" ? textEncoder.encode(part) : (part as Uint8Array));
          }
          raw = Buffer.concat(parts);
        } else {
          this.#need(n);
          raw = this.data.subarray(this.pos, this.pos + n);
          this.pos += n;
        }
        if (major === MAJOR_BYTES) return raw.slice();
        try {
          return strictUtf8.decode(raw);
        } catch {
          return this.fail("text string is not valid UTF-8");
        }
      }
      case MAJOR_ARRAY: {
        const n = this.#length(info);
        const out: CborValue[] = [];
        if (n === -1) {
          while (!this.#isBreak()) out.push(this.item(depth + 1));
        } else {
          if (n > this.data.length - this.pos) this.fail("array longer than the data");
          for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        }
        return out;
      }
      case MAJOR_MAP: {
        const n = this.#length(info);
        const out: CborMap = new Map();
        const put = (): void => {
          const k = this.item(depth + 1);
          out.set(k, this.item(depth + 1));
        };
        if (n === -1) {
          while (!this.#isBreak()) put();
        } else {
          if (n > this.data.length - this.pos) this.fail("map longer than the data");
          for (let i = 0; i < n; i++) put();
        }
        return out;
      }
      case MAJOR_TAG: {
        const tag = this.#arg(info);
        if (tag === -1) this.fail("indefinite tag");
        return { tag: BigInt(tag), value: this.item(depth + 1) };
      }
      case MAJOR_SIMPLE:
        return this.#simple(info);
      default:
        return this.fail(`unknown major type ${major}`);
    }
  }

  #simple(info: number): CborValue {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        this.#need(2);
        const v = this.#view.getFloat16(this.pos);
        this.pos += 2;
        return v;
      }
      case 26: {
        this.#need(4);
        const v = this.#view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.#need(8);
        const v = this.#view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      default:
        return this.fail(`unsupported simple value ${info}`);
    }
  }
}
