/** Prints `--json` messages: one JSON object a line on stdout, its kind in `message_type` first (docs/json.md). */
import { stdout } from "./output.ts";

/** The JSON line of one message. */
export function jsonLine(messageType: string, fields: object): string {
  return JSON.stringify({ message_type: messageType, ...fields });
}

export function printJson(messageType: string, fields: object): void {
  stdout.line(jsonLine(messageType, fields));
}

/** Seconds with millisecond precision, as JSON durations are given. */
export const seconds = (s: number): number => Math.round(s * 1000) / 1000;
