/**
 * A process's peak RSS, measured by GNU time (`/usr/bin/time -f %M`), which forks the command
 * from its own small process. The rusage Bun reports for a child can't be used: a child spawned
 * from the test runner starts with the runner's own high-water mark, which tests that read big
 * files raise past any bound worth asserting.
 */
import fs from "node:fs";
import path from "node:path";
import { tempDir } from "./tmp.ts";

export const GNU_TIME = "/usr/bin/time";

/** A wrapper (for RunOptions.wrapper) that records the peak RSS of what it runs, and a reader of it in bytes. */
export function peakRssMeter(): { wrapper: string[]; peakBytes: () => number } {
  const out = path.join(tempDir("peak-rss"), "maxrss");
  return {
    wrapper: [GNU_TIME, "-f", "%M", "-o", out],
    peakBytes: () => {
      const kib = Number(fs.readFileSync(out, "utf8").trim().split("\n").pop());
      if (!Number.isFinite(kib) || kib <= 0) throw new Error(`no peak RSS in ${out}`);
      return kib * 1024;
    },
  };
}
