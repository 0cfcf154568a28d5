/** Runs one benchmarked command with its output in a log file, timing its wall clock and reading its peak RSS from the kernel's rusage; and the median of such samples. */
import fs from "node:fs";
import type { Command } from "./tools.ts";
import { sync } from "./system.ts";

export interface Sample {
  seconds: number;
  rssMiB: number;
}

/** A benchmarked command that exited non-zero; carries the tail of its log. */
export class StepFailed extends Error {
  constructor(readonly log: string, code: number) {
    const tail = fs.readFileSync(log, "utf8").trimEnd().split("\n").slice(-10).join("\n");
    super(`exit ${code}, log ${log}:\n${tail}`);
  }
}

/** Runs `c` after flushing dirty pages, so earlier writes aren't on its clock. */
export async function timed(c: Command, env: Record<string, string>, log: string): Promise<Sample> {
  sync();
  const fd = fs.openSync(log, "w");
  try {
    const t0 = performance.now();
    const proc = Bun.spawn(c.cmd, { cwd: c.cwd, env, stdin: "ignore", stdout: fd, stderr: fd });
    const code = await proc.exited;
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new StepFailed(log, code);
    // wait4's rusage: the peak of the process and of any children it waited for.
    return { seconds, rssMiB: (proc.resourceUsage()?.maxRSS ?? 0) / 2 ** 20 };
  } finally {
    fs.closeSync(fd);
  }
}

/** The middle value of `xs` (the mean of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
