/** Reads the request counts that `backpak -v` reports at the end of a command ("Repository requests: N list, N get, N put, N delete") from its log. */
import fs from "node:fs";

export const REQUEST_KINDS = ["list", "get", "put", "delete"] as const;
export type Requests = Record<(typeof REQUEST_KINDS)[number], number>;

const LINE = /Repository requests: (\d+) list, (\d+) get, (\d+) put, (\d+) delete/;

/** The counts in a command's log; an error naming the log when it has none (every backup and restore makes requests). */
export function requestsIn(log: string): Requests {
  const m = LINE.exec(fs.readFileSync(log, "utf8"));
  if (!m) throw new Error(`${log} has no "Repository requests" line: is the binary one that reports its requests at -v?`);
  return { list: Number(m[1]), get: Number(m[2]), put: Number(m[3]), delete: Number(m[4]) };
}
