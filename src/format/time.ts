/**
 * Time as the format stores and shows it: i64 nanoseconds since the Unix epoch, zones named the
 * IANA way (or by a fixed offset), RFC 3339 / RFC 9557 strings as jiff writes and reads them.
 */
import { BackpakError } from "../lib/errors.ts";

const NS_PER_S = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

/** Calendar fields of an instant in a zone. */
export interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
  /** Offset from UTC in seconds. */
  offset: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when `tz` is a zone this runtime can convert to (IANA name or ±HH:MM offset). */
export function isKnownZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** The instant `ns` seen in zone `tz` (unknown zones are shown in UTC). */
export function civil(ns: bigint, tz: string): Civil {
  const secs = floorDiv(ns, NS_PER_S);
  const ms = Number(secs) * 1000;
  const f = isKnownZone(tz) ? formatter(tz) : formatter("UTC");
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  const c = {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ""),
  };
  const asUtc = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
  return { ...c, offset: Math.round((asUtc - ms) / 1000) };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, "0");

/** Fractional seconds as jiff prints them: omitted when zero, else up to 9 digits without trailing zeros. */
function fraction(ns: bigint): string {
  const sub = Number(ns - floorDiv(ns, NS_PER_S) * NS_PER_S);
  if (sub === 0) return "";
  return "." + String(sub).padStart(9, "0").replace(/0+$/, "");
}

function offsetString(offset: number): string {
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  const s = a % 60;
  return `${sign}${pad(Math.floor(a / 3600))}:${pad(Math.floor(a / 60) % 60)}${s ? ":" + pad(s) : ""}`;
}

function datePart(c: Civil): string {
  const y = c.year < 0 ? "-" + pad(-c.year, 6) : c.year > 9999 ? "+" + pad(c.year, 6) : pad(c.year, 4);
  return `${y}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}`;
}

/** RFC 3339 in UTC, e.g. `2024-08-17T19:38:42.334637269Z` (how `cat` shows timestamps). */
export function timestampString(ns: bigint): string {
  return datePart(civil(ns, "UTC")) + fraction(ns) + "Z";
}

/** RFC 9557 zoned string, e.g. `1969-07-20T20:17:40+00:00[UTC]`. */
export function zonedString(ns: bigint, tz: string): string {
  const c = civil(ns, tz);
  const bracket = /^[+-]\d/.test(tz) ? offsetString(c.offset) : tz;
  return `${datePart(c)}${fraction(ns)}${offsetString(c.offset)}[${bracket}]`;
}

/** `%a %b %-e %-Y %H:%M:%S %:Q`, e.g. `Thu Nov 7 2024 22:55:36 US/Pacific`. */
export function humanDate(ns: bigint, tz: string): string {
  const c = civil(ns, tz);
  const month = new Date(Date.UTC(2000, c.month - 1, 1)).toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const zone = isKnownZone(tz) && !/^[+-]\d/.test(tz) ? tz : offsetString(c.offset);
  return `${WEEKDAYS[c.weekday]} ${month} ${c.day} ${c.year} ${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)} ${zone}`;
}

/** A civil date-time without zone, e.g. `2024-11-07T22:55:36` (usage's range). */
export function civilString(ns: bigint, tz: string): string {
  return datePart(civil(ns, tz)) + fraction(ns);
}

const ZONED_RE =
  /^([+-]?\d{4,6})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d(?::?\d\d(?::?\d\d)?)?)?(?:\[([^\]]+)\])?$/;

/** Parses an RFC 9557 / RFC 3339 string (snapshot version 1's `time`) into nanoseconds and a zone. */
export function parseZoned(s: string): { ns: bigint; tz: string } {
  const m = ZONED_RE.exec(s);
  if (!m) throw new BackpakError("corrupt", `${JSON.stringify(s)} is not a date-time with a time zone`);
  const [, y, mo, d, h, mi, se, frac, off, name] = m;
  let offset = 0;
  if (off && off !== "Z") {
    const digits = off.slice(1).replace(/:/g, "");
    offset = (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60 + Number(digits.slice(4, 6) || 0)) * (off[0] === "-" ? -1 : 1);
  }
  const tz = name ?? (off && off !== "Z" ? offsetString(offset) : "UTC");
  if (!off && !name) throw new BackpakError("corrupt", `${JSON.stringify(s)} has no offset or time zone`);
  const localMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  // Without an explicit offset, find the zone's offset at that local time.
  if (!off && name) offset = civil(BigInt(localMs) * NS_PER_MS, name).offset;
  const sub = BigInt((frac ?? "").padEnd(9, "0") || "0");
  return { ns: (BigInt(localMs) / 1000n - BigInt(offset)) * NS_PER_S + sub, tz };
}

/**
 * Parses a time a person wrote: RFC 3339 (with an offset or a zone in brackets), or a local
 * date-time like "2012-11-01 22:08:41" taken in zone `tz`.
 */
export function parseUserTime(s: string, tz: string): bigint {
  const t = s.trim();
  if (/(Z|[+-]\d\d(:?\d\d)?|\])$/.test(t)) return parseZoned(t).ns;
  return parseZoned(`${t}[${tz}]`).ns;
}

/** The system's zone as an IANA name (e.g. from $TZ or /etc/localtime), or UTC. */
export function systemZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Now, in nanoseconds since the epoch. */
export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
