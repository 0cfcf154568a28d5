/**
 * Runs the fuzzer over one object kind: each input's seed comes from the campaign's seed and its
 * number, so any failure can be replayed alone. Only the project's typed errors (BackpakError) may
 * come out of a decoder; anything else is a failure. Inputs slower than the budget are reported,
 * and so is resident memory growing past a bound, with the input that made it grow.
 */
import { BackpakError } from "../../src/lib/errors.ts";
import { fuzzInput, type FuzzInput, type Kind } from "./targets.ts";

export interface Finding {
  readonly kind: Kind;
  /** The input's own seed: `--kind <kind> --input-seed <seed>` replays it. */
  readonly seed: number;
  readonly what: string;
}

export interface KindResult {
  readonly kind: Kind;
  tried: number;
  readonly failures: Finding[];
  readonly slow: Finding[];
  readonly memory: Finding[];
  elapsedMs: number;
}

export interface CampaignOptions {
  readonly seed: number;
  /** Inputs [from, count) run. */
  readonly from: number;
  readonly count: number;
  /** An input slower than this is reported. */
  readonly budgetMs: number;
  /** Resident memory may grow this much over where the kind started. */
  readonly rssBoundBytes: number;
  /** Told of each input before it runs (a watchdog uses it to name a hung input). */
  readonly onInput?: (seed: number, i: number) => void;
}

/** The seed of input `i` of a campaign seeded `seed` (a 32-bit mix of both). */
export function inputSeed(seed: number, kind: Kind, i: number): number {
  let h = (seed ^ Math.imul(i + 1, 0x85ebca6b) ^ Math.imul(kind.length * 131 + kind.charCodeAt(0), 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/** Decodes one input; returns what went wrong, or undefined for success or a typed error. */
export function judge(input: FuzzInput): string | undefined {
  try {
    input.decode();
  } catch (err) {
    if (err instanceof BackpakError) return undefined;
    return `${err instanceof Error ? `${err.name}: ${err.message}` : String(err)} (input ${Buffer.from(input.bytes.subarray(0, 64)).toString("hex")}${input.bytes.length > 64 ? "…" : ""}, ${input.bytes.length} bytes)`;
  }
  return undefined;
}

/** Replays the input of `kind` that `seed` makes. */
export const tryInput = (kind: Kind, seed: number): string | undefined => judge(fuzzInput(kind, seed));

export function runKind(kind: Kind, opts: CampaignOptions): KindResult {
  const result: KindResult = { kind, tried: 0, failures: [], slow: [], memory: [], elapsedMs: 0 };
  const start = performance.now();
  const baseRss = process.memoryUsage.rss();
  for (let i = opts.from; i < opts.count; i++) {
    const seed = inputSeed(opts.seed, kind, i);
    opts.onInput?.(seed, i);
    const t0 = performance.now();
    const failure = tryInput(kind, seed);
    const ms = performance.now() - t0;
    result.tried++;
    if (failure !== undefined) result.failures.push({ kind, seed, what: failure });
    if (ms > opts.budgetMs) result.slow.push({ kind, seed, what: `took ${ms.toFixed(1)} ms` });
    if ((i & 15) === 0 || ms > opts.budgetMs) {
      const grown = process.memoryUsage.rss() - baseRss;
      if (grown > opts.rssBoundBytes) {
        result.memory.push({ kind, seed, what: `resident memory grew ${(grown / 2 ** 20).toFixed(0)} MiB by this input` });
        Bun.gc(true);
      }
    }
  }
  result.elapsedMs = performance.now() - start;
  return result;
}
