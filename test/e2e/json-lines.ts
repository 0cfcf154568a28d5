/** What the --json tests share: stdout parsed as JSON lines, every one checked to be an object with a message_type. */
import { expect } from "bun:test";
import type { RunResult } from "./harness.ts";

export type Message = Record<string, unknown> & { message_type: string };

/** Every line of `r`'s stdout, parsed; fails the test if one isn't a JSON object with a string message_type. */
export function messages(r: RunResult): Message[] {
  expect(r.stdout.endsWith("\n")).toBe(true);
  return r.stdout
    .slice(0, -1)
    .split("\n")
    .map((line) => {
      const m = JSON.parse(line) as Message;
      expect(typeof m.message_type).toBe("string");
      return m;
    });
}

/** The messages of one type. */
export const ofType = (all: readonly Message[], type: string): Message[] => all.filter((m) => m.message_type === type);

/** The one message of `type`, which must be the last line. */
export function last(all: readonly Message[], type: string): Message {
  expect(all.at(-1)?.message_type).toBe(type);
  expect(ofType(all, type)).toHaveLength(1);
  return all.at(-1)!;
}

/** An RFC 3339 time in UTC, as --json gives times. */
export const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
