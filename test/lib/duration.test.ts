/** Durations on the command line (--retry-lock): units, sums of parts, bare seconds, and refusals. */
import { expect, test } from "bun:test";
import { parseDuration } from "../../src/lib/duration.ts";

test("units, combined parts and bare numbers (seconds)", () => {
  expect(parseDuration("250ms")).toBe(250);
  expect(parseDuration("30s")).toBe(30_000);
  expect(parseDuration("5m")).toBe(300_000);
  expect(parseDuration("2h")).toBe(7_200_000);
  expect(parseDuration("1d")).toBe(86_400_000);
  expect(parseDuration("1h30m")).toBe(5_400_000);
  expect(parseDuration("1.5m")).toBe(90_000);
  expect(parseDuration("90")).toBe(90_000);
});

test("anything else is refused with an example of what works", () => {
  for (const bad of ["", "m", "5 minutes", "5x", "-5s", "5m junk"]) expect(() => parseDuration(bad)).toThrow("is not a duration");
});
