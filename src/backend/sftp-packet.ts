/**
 * SFTP version 3 packets (draft-ietf-secsh-filexfer-02, as OpenSSH speaks it): the message numbers,
 * status codes and open flags, a writer and a reader of the wire types, and a splitter that cuts
 * the server's byte stream into packets.
 */
import { BackpakError } from "../lib/errors.ts";

export const FXP = {
  INIT: 1,
  VERSION: 2,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  FSTAT: 8,
  OPENDIR: 11,
  READDIR: 12,
  REMOVE: 13,
  MKDIR: 14,
  STAT: 17,
  RENAME: 18,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  NAME: 104,
  ATTRS: 105,
  EXTENDED: 200,
} as const;

export const STATUS = { OK: 0, EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, OP_UNSUPPORTED: 8 } as const;

export const OPEN_FLAGS = { READ: 0x01, WRITE: 0x02, CREAT: 0x08, TRUNC: 0x10, EXCL: 0x20 } as const;

const ATTR_SIZE = 0x01;
const ATTR_UIDGID = 0x02;
const ATTR_PERMISSIONS = 0x04;
const ATTR_ACMODTIME = 0x08;
const ATTR_EXTENDED = 0x8000_0000;
/** The file-type bits of a permissions word, and the directory type. */
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/** The attributes backpak uses; absent when the server didn't send them. */
export interface FileAttrs {
  readonly size?: number;
  readonly permissions?: number;
}

export function isDirectory(attrs: FileAttrs): boolean {
  return attrs.permissions !== undefined && (attrs.permissions & S_IFMT) === S_IFDIR;
}

/** The largest packet accepted from a server (OpenSSH's own limit is 256 KiB). */
const MAX_PACKET = 1 << 20;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Builds one packet: `uint32 length, byte type, [uint32 id], fields`. */
export class PacketWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  constructor(type: number, id?: number) {
    this.uint8(type);
    if (id !== undefined) this.uint32(id);
  }

  uint8(n: number): this {
    return this.#push(Uint8Array.of(n));
  }

  uint32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    return this.#push(b);
  }

  uint64(n: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n));
    return this.#push(b);
  }

  /** A length-prefixed string: bytes as they are, text as UTF-8. */
  string(s: string | Uint8Array): this {
    const bytes = typeof s === "string" ? encoder.encode(s) : s;
    return this.uint32(bytes.length).#push(bytes);
  }

  /** Attributes setting only the permissions (for MKDIR and OPEN's new files), or none. */
  attrs(permissions?: number): this {
    return permissions === undefined ? this.uint32(0) : this.uint32(ATTR_PERMISSIONS).uint32(permissions);
  }

  /** The packet with its length prefix. */
  bytes(): Uint8Array {
    const out = new Uint8Array(4 + this.#length);
    new DataView(out.buffer).setUint32(0, this.#length);
    let at = 4;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  #push(b: Uint8Array): this {
    this.#parts.push(b);
    this.#length += b.length;
    return this;
  }
}

/** Reads the fields of one packet body, failing as a protocol error past its end. */
export class PacketReader {
  #at = 0;
  readonly #view: DataView;

  constructor(readonly body: Uint8Array) {
    this.#view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }

  get done(): boolean {
    return this.#at >= this.body.length;
  }

  uint8(): number {
    this.#need(1);
    return this.body[this.#at++]!;
  }

  uint32(): number {
    this.#need(4);
    const n = this.#view.getUint32(this.#at);
    this.#at += 4;
    return n;
  }

  uint64(): number {
    this.#need(8);
    const n = this.#view.getBigUint64(this.#at);
    this.#at += 8;
    return Number(n);
  }

  bytes(): Uint8Array {
    const n = this.uint32();
    this.#need(n);
    const out = this.body.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  text(): string {
    return decoder.decode(this.bytes());
  }

  attrs(): FileAttrs {
    const flags = this.uint32();
    const size = flags & ATTR_SIZE ? this.uint64() : undefined;
    if (flags & ATTR_UIDGID) this.#skip(8);
    const permissions = flags & ATTR_PERMISSIONS ? this.uint32() : undefined;
    if (flags & ATTR_ACMODTIME) this.#skip(8);
    if (flags & ATTR_EXTENDED) {
      for (let n = this.uint32(); n > 0; n--) {
        this.bytes();
        this.bytes();
      }
    }
    return { size, permissions };
  }

  #skip(n: number): void {
    this.#need(n);
    this.#at += n;
  }

  #need(n: number): void {
    if (this.#at + n > this.body.length) throw protocolError(`a packet of type ${this.body[0]} ends early`);
  }
}

/** Cuts a byte stream into packet bodies (type byte onwards), however the stream is chunked. */
export class PacketSplitter {
  #buffer = new Uint8Array(0);

  push(chunk: Uint8Array): Uint8Array[] {
    const data = this.#buffer.length === 0 ? chunk : concat(this.#buffer, chunk);
    const out: Uint8Array[] = [];
    let at = 0;
    while (data.length - at >= 4) {
      const length = new DataView(data.buffer, data.byteOffset + at, 4).getUint32(0);
      if (length < 1 || length > MAX_PACKET) throw protocolError(`the server sent a packet of ${length} bytes`);
      if (data.length - at - 4 < length) break;
      out.push(data.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    // Copied, so a kept remainder doesn't pin a large chunk.
    this.#buffer = data.slice(at);
    return out;
  }
}

export function protocolError(what: string): BackpakError {
  return new BackpakError("io", `SFTP protocol error: ${what}`, {
    hint: "something other than SFTP came back: often the account's shell startup files (such as ~/.bashrc) print text even for non-interactive logins; make them quiet, or have the server use `Subsystem sftp internal-sftp`",
  });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
