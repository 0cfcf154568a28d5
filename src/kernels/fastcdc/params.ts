/** FastCDC v2020 parameters and the tables of the fastcdc crate 4.0.1: gear (from MD5), left-shifted gear, and normalization masks. */

/** Chunk sizes in bytes, normalization level (0..3) and the seed XORed into the gear tables. */
export interface CdcParams {
  min: number;
  avg: number;
  max: number;
  normalization: number;
  seed: bigint;
}

/** backpak's parameters: `FastCDC::new(data, 512 KiB, 1 MiB, 8 MiB)`, i.e. normalization 1, seed 0. */
export const BACKPAK_CDC: CdcParams = Object.freeze({
  min: 524_288,
  avg: 1_048_576,
  max: 8_388_608,
  normalization: 1,
  seed: 0n,
});

const U64_MASK = (1n << 64n) - 1n;

/** GEAR[b]: the first 8 bytes, big-endian, of MD5 of 64 bytes all equal to b. */
export const GEAR: BigUint64Array = BigUint64Array.from({ length: 256 }, (_, b) => {
  const digest = Bun.CryptoHasher.hash("md5", new Uint8Array(64).fill(b));
  return new DataView(digest.buffer, digest.byteOffset, 16).getBigUint64(0, false);
});

/** GEAR_LS[b] = GEAR[b] << 1 (mod 2^64). */
export const GEAR_LS: BigUint64Array = GEAR.map((g) => (g << 1n) & U64_MASK);

/** The crate's MASKS, indexed by bit count (0..4 unused). */
export const MASKS: readonly bigint[] = [
  0n, 0n, 0n, 0n, 0n,
  0x0000000001804110n, 0x0000000001803110n, 0x0000000018035100n, 0x0000001800035300n,
  0x0000019000353000n, 0x0000590003530000n, 0x0000d90003530000n, 0x0000d90103530000n,
  0x0000d90303530000n, 0x0000d90313530000n, 0x0000d90f03530000n, 0x0000d90303537000n,
  0x0000d90703537000n, 0x0000d90707537000n, 0x0000d91707537000n, 0x0000d91747537000n,
  0x0000d91767537000n, 0x0000d93767537000n, 0x0000d93777537000n, 0x0000d93777577000n,
  0x0000db3777577000n,
];

/** What a gear scanner needs for one parameter set: seeded tables and the small/large masks. */
export interface CdcTables {
  gear: BigUint64Array;
  gearLs: BigUint64Array;
  /** Mask before the center (avg): MASKS[bits + normalization]; its `<< 1` applies to even bytes. */
  maskS: bigint;
  /** Mask after the center: MASKS[bits - normalization]. */
  maskL: bigint;
}

function checkRange(name: string, value: number, lo: number, hi: number): void {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new RangeError(`FastCDC ${name} must be an integer in [${lo}, ${hi}], got ${value}`);
  }
}

/** Checks `params` against the crate's limits (plus min <= max and avg <= max) and derives the tables. */
export function cdcTables(params: CdcParams): CdcTables {
  checkRange("min", params.min, 64, 1_048_576);
  checkRange("avg", params.avg, 256, 4_194_304);
  checkRange("max", params.max, 1024, 16_777_216);
  checkRange("normalization", params.normalization, 0, 3);
  if (params.min > params.max || params.avg > params.max) {
    throw new RangeError(`FastCDC sizes need min <= max and avg <= max, got ${params.min}/${params.avg}/${params.max}`);
  }
  if (params.seed < 0n || params.seed > U64_MASK) throw new RangeError(`FastCDC seed must be a u64, got ${params.seed}`);
  const bits = Math.round(Math.log2(params.avg));
  const seedLs = (params.seed << 1n) & U64_MASK;
  return {
    gear: GEAR.map((g) => g ^ params.seed),
    gearLs: GEAR_LS.map((g) => g ^ seedLs),
    maskS: MASKS[bits + params.normalization]!, // bits is 8..22 for avg in range: indexes 5..25
    maskL: MASKS[bits - params.normalization]!,
  };
}
