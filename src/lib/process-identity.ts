/**
 * Tells whether a process that wrote something is still running: a PID alone can be reused after
 * the process dies, so its start time (field 22 of /proc/<pid>/stat, in clock ticks since boot) is
 * recorded beside the PID and compared.
 */
import fs from "node:fs";
import { processExists } from "./processes.ts";

/** The start time of process `pid`, as /proc/<pid>/stat says it; undefined when there is no such process (or no /proc). */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

/** True when process `pid` runs and, if its start time was recorded (`started`), started then: not a later process given the same PID. */
export function isSameProcess(pid: number, started: string | undefined): boolean {
  if (!processExists(pid)) return false;
  if (started === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === started;
}
