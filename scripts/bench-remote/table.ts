/**
 * Collects each repository kind's backup and restore samples and request counts, and renders them
 * as a markdown table of medians, MB/s, peak RSS, requests and throughput relative to the
 * filesystem repository, with a line saying whether the S3 target is met.
 */
import { median, type Sample } from "../bench-peers/measure.ts";
import { KINDS, type Kind } from "./repositories.ts";
import { REQUEST_KINDS, type Requests } from "./requests.ts";

export const STEPS = ["backup", "restore"] as const;
export type Step = (typeof STEPS)[number];

/** S3 over loopback must reach this share of the filesystem repository's throughput (issue 9). */
export const S3_TARGET = 0.7;

interface Measured {
  samples: Sample[];
  requests: Requests[];
  failed: boolean;
}

export class RemoteResults {
  private readonly by = new Map<Kind, Record<Step, Measured>>();
  private readonly identical = new Map<Kind, boolean[]>();

  constructor(readonly treeBytes: number) {
    for (const k of KINDS) {
      this.by.set(k, { backup: { samples: [], requests: [], failed: false }, restore: { samples: [], requests: [], failed: false } });
      this.identical.set(k, []);
    }
  }

  add(k: Kind, step: Step, s: Sample, r: Requests): void {
    const m = this.by.get(k)![step];
    m.samples.push(s);
    m.requests.push(r);
  }

  fail(k: Kind, step: Step): void {
    this.by.get(k)![step].failed = true;
  }

  restored(k: Kind, same: boolean): void {
    this.identical.get(k)!.push(same);
  }

  /** Median seconds and peak RSS of a step, undefined if any run of it failed or none ran. */
  median(k: Kind, step: Step): Sample | undefined {
    const m = this.by.get(k)![step];
    if (m.failed || m.samples.length === 0) return undefined;
    return { seconds: median(m.samples.map((x) => x.seconds)), rssMiB: median(m.samples.map((x) => x.rssMiB)) };
  }

  /** "list / get / put / delete", each the count every run made, or its range when runs differ. */
  requests(k: Kind, step: Step): string {
    const m = this.by.get(k)![step];
    if (m.requests.length === 0) return "–";
    return REQUEST_KINDS.map((kind) => {
      const xs = m.requests.map((r) => r[kind]);
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      return lo === hi ? String(lo) : `${lo}–${hi}`;
    }).join(" / ");
  }

  /** Throughput of `k` over the filesystem repository's for a step, undefined when either is missing. */
  ratio(k: Kind, step: Step): number | undefined {
    const ours = this.median(k, step);
    const fs = this.median("fs", step);
    return ours === undefined || fs === undefined ? undefined : fs.seconds / ours.seconds;
  }

  restoredIdentical(k: Kind): string {
    const xs = this.identical.get(k)!;
    return xs.length === 0 ? "FAILED" : xs.every((x) => x) ? "yes" : "NO";
  }
}

const row = (cells: string[]): string => `| ${cells.join(" | ")} |`;
const fixed = (x: number | undefined, digits = 2): string => (x === undefined ? "–" : x.toFixed(digits));

export function renderTable(r: RemoteResults): string {
  const header = [
    "repository",
    "backup s",
    "backup MB/s",
    "restore s",
    "restore MB/s",
    "peak RSS MiB (backup / restore)",
    "backup requests (list / get / put / delete)",
    "restore requests (list / get / put / delete)",
    "restore identical",
    "backup MB/s ÷ fs",
    "restore MB/s ÷ fs",
  ];
  const lines = [row(header), row(header.map(() => "---"))];
  for (const k of KINDS) {
    const cells: string[] = [k];
    for (const step of STEPS) {
      const m = r.median(k, step);
      cells.push(m === undefined ? "FAILED" : m.seconds.toFixed(2), m === undefined ? "FAILED" : (r.treeBytes / 1e6 / m.seconds).toFixed(1));
    }
    const rss = STEPS.map((step) => fixed(r.median(k, step)?.rssMiB, 0));
    cells.push(rss.join(" / "), r.requests(k, "backup"), r.requests(k, "restore"), r.restoredIdentical(k));
    cells.push(...STEPS.map((step) => (k === "fs" ? "1.00" : fixed(r.ratio(k, step)))));
    lines.push(row(cells));
  }
  return lines.join("\n");
}

/** Whether S3's backup and restore both reach S3_TARGET of the filesystem repository's throughput. */
export function targetLine(r: RemoteResults): string {
  const ratios = STEPS.map((step) => r.ratio("s3", step));
  const goal = `backup and restore over loopback S3 at ≥ ${S3_TARGET * 100}% of the filesystem repository's throughput`;
  if (ratios.some((x) => x === undefined)) return `Target (${goal}): unknown, a step failed.`;
  const met = ratios.every((x) => x! >= S3_TARGET);
  return `Target (${goal}): ${met ? "met" : "NOT met"} (backup ${fixed(ratios[0]! * 100, 0)}%, restore ${fixed(ratios[1]! * 100, 0)}%).`;
}
