/**
 * `check --read-packs-subset` (restic's `--read-data-subset`): which packs a check reads whole.
 * `n/m` is the n-th of m groups, a pack's group being the first 32 bits of its ID modulo m, so
 * running n = 1…m reads every pack exactly once, whatever else is stored meanwhile. `N%` is a
 * random N percent of the packs (at least one when N > 0 and there are packs).
 */
import { idToDigest, type PackId } from "../format/id.ts";
import { BackpakError } from "../lib/errors.ts";

export type PackSubset = { readonly kind: "group"; readonly n: number; readonly m: number } | { readonly kind: "percent"; readonly percent: number };

const HINT = "write n/m (the n-th of m groups, 1 ≤ n ≤ m) or N% (a random N percent, 0 < N ≤ 100), e.g. 2/7 or 10%";

/** Parses `n/m` or `N%`; throws a usage error saying what is accepted. */
export function parsePackSubset(text: string): PackSubset {
  const bad = (why: string): never => {
    throw new BackpakError("usage", `${JSON.stringify(text)} is not a subset of packs: ${why}`, { hint: HINT });
  };
  const group = /^([0-9]+)\/([0-9]+)$/.exec(text);
  if (group) {
    const n = Number(group[1]);
    const m = Number(group[2]);
    if (!Number.isSafeInteger(m) || m < 1 || m > 2 ** 32) bad("m must be a whole number from 1 to 2^32");
    if (!Number.isSafeInteger(n) || n < 1 || n > m) bad("n must be from 1 to m");
    return { kind: "group", n, m };
  }
  const pct = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(text);
  if (pct) {
    const percent = Number(pct[1]);
    if (!(percent > 0 && percent <= 100)) bad("the percentage must be more than 0 and at most 100");
    return { kind: "percent", percent };
  }
  return bad("expected n/m or N%");
}

/** Which of m groups (0-based) a pack is in: the first 32 bits of its ID, modulo m. */
export function packGroup(id: PackId, m: number): number {
  const d = idToDigest(id);
  return (((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0) % m;
}

/** The packs of `ids` that the subset picks. */
export function pickPacks(ids: readonly PackId[], subset: PackSubset): Set<PackId> {
  if (subset.kind === "group") return new Set(ids.filter((id) => packGroup(id, subset.m) === subset.n - 1));
  const want = Math.min(ids.length, Math.max(ids.length > 0 ? 1 : 0, Math.round((ids.length * subset.percent) / 100)));
  const shuffled = [...ids];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return new Set(shuffled.slice(0, want));
}
