/**
 * Time as the format stores and shows it: i64 nanoseconds since the Unix epoch, zones named the
 * IANA way (or by a fixed offset), RFC 3339 / RFC 9557 strings as jiff writes and reads them.
 */
import { BackpakError } from "../lib/errors.ts";

const NS_PER_S = 1_000_000_000n;

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

/** Days from 1970-01-01 to a proleptic Gregorian date (any year: Date.UTC takes 0-99 as 1900-1999). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
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
  const asUtc = (daysFromCivil(c.year, c.month, c.day) * 86_400 + c.hour * 3600 + c.minute * 60 + c.second) * 1000;
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

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days in month `m` (1-12) of year `y`. */
function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Throws unless `value` is within `lo`..`hi`, naming the field. */
function inRange(value: number, lo: number, hi: number, what: string): number {
  if (value < lo || value > hi) throw new BackpakError("corrupt", `${what} ${value} is out of range (${lo}-${hi})`);
  return value;
}

/**
 * Parses a date-time with an optional offset and `[zone]`; one without either is taken in
 * `defaultZone` (an error when there is none). Every field must exist on the calendar: no
 * month 13, no February 30, no hour 24. A leap second (:60) counts as :59, as in jiff.
 */
function parseDateTime(s: string, defaultZone: string | undefined): { ns: bigint; tz: string } {
  const m = ZONED_RE.exec(s);
  if (!m) throw new BackpakError("corrupt", `${JSON.stringify(s)} is not a date-time`);
  const [, y, mo, d, h, mi, se, frac, off, name] = m;
  const year = Number(y);
  const month = inRange(Number(mo), 1, 12, "month");
  const day = Number(d);
  if (day < 1 || day > daysInMonth(year, month)) {
    throw new BackpakError("corrupt", `${y}-${mo} has no day ${day} (it has ${daysInMonth(year, month)} days)`);
  }
  const seconds = inRange(Number(h), 0, 23, "hour") * 3600 + inRange(Number(mi), 0, 59, "minute") * 60 + Math.min(inRange(Number(se), 0, 60, "second"), 59);
  let offset = 0;
  if (off && off !== "Z") {
    const digits = off.slice(1).replace(/:/g, "");
    const [oh, om, os] = [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4, 6)].map((x) => Number(x || 0)) as [number, number, number];
    offset = (inRange(oh, 0, 25, "offset hour") * 3600 + inRange(om, 0, 59, "offset minute") * 60 + inRange(os, 0, 59, "offset second")) * (off[0] === "-" ? -1 : 1);
  }
  const zone = name ?? (off ? undefined : defaultZone);
  if (!off && zone === undefined) throw new BackpakError("corrupt", `${JSON.stringify(s)} has no offset or time zone`);
  const tz = zone ?? (off !== "Z" ? offsetString(offset) : "UTC");
  const localSecs = daysFromCivil(year, month, day) * 86_400 + seconds;
  // Without an explicit offset, find the zone's offset at that local time.
  if (!off && !isKnownZone(tz)) throw new BackpakError("corrupt", `${JSON.stringify(s)}: unknown time zone ${tz}`);
  if (!off) offset = civil(BigInt(localSecs) * NS_PER_S, tz).offset;
  const sub = BigInt((frac ?? "").padEnd(9, "0") || "0");
  return { ns: BigInt(localSecs - offset) * NS_PER_S + sub, tz };
}

/** Parses an RFC 9557 / RFC 3339 string (snapshot version 1's `time`) into nanoseconds and a zone. */
export function parseZoned(s: string): { ns: bigint; tz: string } {
  return parseDateTime(s, undefined);
}

/**
 * Parses a time a person wrote: RFC 3339 (with an offset or a zone in brackets), or a local
 * date-time like "2012-11-01 22:08:41" taken in zone `tz`.
 */
export function parseUserTime(s: string, tz: string): bigint {
  return parseDateTime(s.trim(), tz).ns;
}

/** The system's zone as an IANA name (e.g. from $TZ or /etc/localtime), or UTC. */
export function systemZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Now, in nanoseconds since the epoch. */
export function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}
