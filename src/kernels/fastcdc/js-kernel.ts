/** The plain-JS reference gear scanner: the crate's two-bytes-a-step loop with the 64-bit hash kept as two 32-bit halves. */
import type { GearScanner } from "./chunker.ts";
import type { CdcTables } from "./params.ts";

const low = (v: bigint): number => Number(BigInt.asIntN(32, v));
const high = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));

/** A u64 table as interleaved int32 halves: [lo0, hi0, lo1, hi1, ...]. */
function halves(table: BigUint64Array): Int32Array {
  const out = new Int32Array(2 * table.length);
  table.forEach((v, i) => {
    out[2 * i] = low(v);
    out[2 * i + 1] = high(v);
  });
  return out;
}

/** The JS scanner over a plain buffer of `capacity` bytes. */
export function createJsScanner(tables: CdcTables, capacity: number): GearScanner {
  const buffer = new Uint8Array(capacity);
  const gear = halves(tables.gear);
  const gearLs = halves(tables.gearLs);
  const maskS = tables.maskS;
  const maskL = tables.maskL;
  let lo = 0;
  let hi = 0;

  /** Feeds the pairs in [pos, stop) with mask m (m << 1 after even bytes); returns the cut or -1. */
  function run(pos: number, stop: number, m: bigint): number {
    const mLo = low(m);
    const mHi = high(m);
    const mLsLo = low(m << 1n);
    const mLsHi = high(m << 1n);
    let l = lo;
    let h = hi;
    let cut = -1;
    // 64-bit add of (x, y) halves: the carry out of the low half is the top bit of (a & b) | ((a | b) & ~sum).
    for (; pos < stop; pos += 2) {
      // hash = (hash << 2) + GEAR_LS[src[pos]]
      const k = buffer[pos]! << 1;
      const a = l << 2;
      const b = gearLs[k]!;
      h = ((h << 2) | (l >>> 30)) + gearLs[k + 1]!;
      l = (a + b) | 0;
      h = (h + (((a & b) | ((a | b) & ~l)) >>> 31)) | 0;
      if (((l & mLsLo) | (h & mLsHi)) === 0) {
        cut = pos;
        break;
      }
      // hash += GEAR[src[pos + 1]]
      const j = buffer[pos + 1]! << 1;
      const c = gear[j]!;
      const s = (l + c) | 0;
      h = (h + gear[j + 1]! + (((l & c) | ((l | c) & ~s)) >>> 31)) | 0;
      l = s;
      if (((l & mLo) | (h & mHi)) === 0) {
        cut = pos + 1;
        break;
      }
    }
    lo = l;
    hi = h;
    return cut;
  }

  return {
    buffer,
    scan(pos, center, end) {
      const stop = Math.min(center, end);
      const cut = run(pos, stop, maskS);
      return cut >= 0 ? cut : run(Math.max(pos, stop), end, maskL);
    },
    hash: () => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0),
    reset() {
      lo = 0;
      hi = 0;
    },
  };
}
