/** Date-times people and snapshot files write: every field must exist on the calendar, nothing rolls over. */
import { describe, expect, test } from "bun:test";
import { parseUserTime, parseZoned } from "../../src/format/time.ts";

const utc = (s: string): bigint => parseUserTime(s, "UTC");
const secs = (iso: string): bigint => BigInt(Date.parse(iso) / 1000) * 1_000_000_000n;

describe("parseUserTime refuses dates that don't exist", () => {
  test("month 13 and day 0 or 32", () => {
    expect(() => utc("2024-13-01 00:00:00")).toThrow("month 13 is out of range (1-12)");
    expect(() => utc("2024-00-10 00:00:00")).toThrow("month 0 is out of range (1-12)");
    expect(() => utc("2024-01-32 00:00:00")).toThrow("2024-01 has no day 32 (it has 31 days)");
    expect(() => utc("2024-01-00 00:00:00")).toThrow("2024-01 has no day 0");
  });

  test("the 31st of a 30-day month, February 30", () => {
    expect(() => utc("2024-04-31 12:00:00")).toThrow("2024-04 has no day 31 (it has 30 days)");
    expect(() => utc("2024-02-30 00:00:00")).toThrow("2024-02 has no day 30 (it has 29 days)");
  });

  test("February 29 only in leap years", () => {
    expect(utc("2024-02-29 00:00:00")).toBe(secs("2024-02-29T00:00:00Z"));
    expect(utc("2000-02-29 00:00:00")).toBe(secs("2000-02-29T00:00:00Z"));
    expect(() => utc("2023-02-29 00:00:00")).toThrow("2023-02 has no day 29 (it has 28 days)");
    expect(() => utc("1900-02-29 00:00:00")).toThrow("1900-02 has no day 29");
  });

  test("hours, minutes and seconds in range", () => {
    expect(() => utc("2024-05-01 24:00:00")).toThrow("hour 24 is out of range (0-23)");
    expect(() => utc("2024-05-01 12:60:00")).toThrow("minute 60 is out of range (0-59)");
    expect(() => utc("2024-05-01 12:00:61")).toThrow("second 61 is out of range (0-60)");
    expect(utc("2024-05-01 23:59:59")).toBe(secs("2024-05-01T23:59:59Z"));
    // A leap second is taken as the second before it, as jiff does.
    expect(utc("2016-12-31T23:59:60Z")).toBe(secs("2016-12-31T23:59:59Z"));
  });

  test("RFC 3339 with an offset is checked the same way", () => {
    expect(utc("2024-02-29T10:00:00+02:00")).toBe(secs("2024-02-29T08:00:00Z"));
    expect(() => utc("2023-02-29T10:00:00+02:00")).toThrow("2023-02 has no day 29");
    expect(() => utc("2024-13-01T00:00:00Z")).toThrow("month 13 is out of range");
    expect(() => utc("2024-06-01T25:00:00-07:00")).toThrow("hour 25 is out of range");
    expect(() => utc("2024-06-01T10:00:00+01:75")).toThrow("offset minute 75 is out of range (0-59)");
  });

  test("a zone in brackets must be one this runtime knows", () => {
    expect(utc("2024-06-01 10:00:00[Europe/Paris]")).toBe(secs("2024-06-01T08:00:00Z"));
    expect(() => utc("2024-06-01 10:00:00[Mars/Olympus]")).toThrow("unknown time zone Mars/Olympus");
  });

  test("years before 100 are not taken as 19xx", () => {
    expect(utc("0050-03-01 00:00:00")).toBe(secs("0050-03-01T00:00:00Z"));
  });

  test("not a date-time at all", () => {
    expect(() => utc("yesterday")).toThrow('"yesterday" is not a date-time');
  });
});

describe("parseZoned (snapshot version 1 times)", () => {
  test("refuses impossible dates instead of rolling them over", () => {
    expect(() => parseZoned("2024-02-30T00:00:00+00:00[UTC]")).toThrow("2024-02 has no day 30");
    expect(parseZoned("2024-02-29T00:00:00+00:00[UTC]")).toEqual({ ns: secs("2024-02-29T00:00:00Z"), tz: "UTC" });
  });
});
