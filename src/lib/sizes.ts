/** Byte sizes as people write them ("100 MB", "64 MiB", "1 GiB") and as backpak shows them ("16.48 GB"). */
import { BackpakError } from "./errors.ts";

const DECIMAL: [string, number][] = [
  ["PB", 1e15],
  ["TB", 1e12],
  ["GB", 1e9],
  ["MB", 1e6],
  ["KB", 1e3],
];
const BINARY: [string, number][] = [
  ["PiB", 2 ** 50],
  ["TiB", 2 ** 40],
  ["GiB", 2 ** 30],
  ["MiB", 2 ** 20],
  ["KiB", 2 ** 10],
];

const UNIT_RE = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$/;

/**
 * Parses a byte size. With `caseInsensitive` (the CLI), every unit means bytes ("50mb" = 50 MB).
 * Otherwise (config files, as byte-unit reads them) a lowercase final "b" means bits ("8 Mb" = 1 MB).
 */
export function parseByteSize(text: string, caseInsensitive: boolean): number {
  const m = UNIT_RE.exec(text);
  const bad = (): never => {
    throw new BackpakError("usage", `${JSON.stringify(text)} is not a byte size`, {
      hint: 'write a number with an optional unit, such as "100 MB", "64 MiB" or "100000000"',
    });
  };
  if (!m) return bad();
  const value = Number(m[1]);
  let unit = m[2]!;
  let bits = false;
  if (!caseInsensitive && unit.length > 0 && unit.endsWith("b")) {
    bits = true;
    unit = unit.slice(0, -1) + "B";
  }
  const u = unit.toUpperCase();
  let factor: number | undefined;
  if (u === "" || u === "B") factor = 1;
  else {
    const base = u.endsWith("B") ? u.slice(0, -1) : u; // "M" means "MB"
    const binary = base.endsWith("I");
    const letter = binary ? base.slice(0, -1) : base;
    const idx = ["K", "M", "G", "T", "P"].indexOf(letter);
    if (idx >= 0 && letter.length === 1) factor = (binary ? 1024 : 1000) ** (idx + 1);
  }
  if (factor === undefined) return bad();
  const bytes = Math.round((value * factor) / (bits ? 8 : 1));
  if (!Number.isSafeInteger(bytes)) return bad();
  return bytes;
}

/** The size in the largest unit that represents it exactly ("100 MB", "64 MiB", "12345 B"). */
export function formatExactSize(bytes: number): string {
  for (const [unit, factor] of [...DECIMAL, ...BINARY].sort((a, b) => b[1] - a[1])) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${unit}`;
  }
  return `${bytes} B`;
}

/** backpak's progress sizes: decimal units, no decimals for B and KB, two for MB and up. */
export function niceSize(bytes: number): string {
  for (const [unit, factor] of DECIMAL) {
    if (bytes >= factor) {
      return unit === "KB" ? `${Math.round(bytes / factor)} KB` : `${(bytes / factor).toFixed(2)} ${unit}`;
    }
  }
  return `${bytes} B`;
}
