/** Small helpers over Uint8Array: concatenation, comparison, big-endian integers. */

/**
 * A Buffer's bytes as a plain Uint8Array: a view when the Buffer is its whole ArrayBuffer (it is
 * for all but tiny ones), so a 50 MB index isn't held twice while it is copied; a copy when it is
 * a slice of a shared pool, which a view would keep alive.
 */
export function asPlainBytes(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.buffer.byteLength === b.byteLength ? new Uint8Array(b.buffer) : new Uint8Array(b);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function readU32BE(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) >>> 0) + (b[off + 1]! << 16) + (b[off + 2]! << 8) + b[off + 3]!;
}

export function u32BE(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

const encoder = new TextEncoder();
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true });
/** Decodes UTF-8, returning undefined (not U+FFFD) for invalid input. */
export function decodeUtf8Strict(b: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(b);
  } catch {
    return undefined;
  }
}
