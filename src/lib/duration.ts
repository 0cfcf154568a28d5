/** Durations as people write them on the command line ("30s", "5m", "1h30m", "2h"), in milliseconds. */
import { BackpakError } from "./errors.ts";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/y;

/** Parses a duration such as "90s", "5m" or "1h30m" (a bare number is seconds) into milliseconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^[0-9]+(?:\.[0-9]+)?$/.test(t)) return Number(t) * 1000;
  let total = 0;
  PART.lastIndex = 0;
  let at = 0;
  while (at < t.length) {
    PART.lastIndex = at;
    const m = PART.exec(t);
    if (!m) break;
    total += Number(m[1]) * UNITS[m[2]!]!;
    at = PART.lastIndex;
  }
  if (t === "" || at !== t.length) {
    throw new BackpakError("usage", `${JSON.stringify(text)} is not a duration`, { hint: 'write a number with a unit, such as "30s", "5m", "2h" or "1h30m"' });
  }
  return total;
}
