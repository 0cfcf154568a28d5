/** Collects the samples of one corpus and renders them as a markdown table of medians, peak RSS and our ratios to each peer. */
import type { ToolName } from "./options.ts";
import { median, type Sample } from "./measure.ts";

export const OPS = ["initial", "nochange", "incremental", "restore", "restore (tmpfs)"] as const;
export type Op = (typeof OPS)[number];

interface PerTool {
  samples: Map<Op, Sample[]>;
  failed: Set<Op>;
  repoMiB: number[];
  identical: boolean[];
}

export class Results {
  private readonly by = new Map<ToolName, PerTool>();

  constructor(readonly tools: ToolName[]) {
    for (const t of tools) this.by.set(t, { samples: new Map(), failed: new Set(), repoMiB: [], identical: [] });
  }

  private of(t: ToolName): PerTool {
    return this.by.get(t)!;
  }

  add(t: ToolName, op: Op, s: Sample): void {
    const m = this.of(t).samples;
    m.set(op, [...(m.get(op) ?? []), s]);
  }

  fail(t: ToolName, op: Op): void {
    this.of(t).failed.add(op);
  }

  sized(t: ToolName, repoMiB: number): void {
    this.of(t).repoMiB.push(repoMiB);
  }

  restored(t: ToolName, identical: boolean): void {
    this.of(t).identical.push(identical);
  }

  /** Median seconds and peak RSS of an op, "FAILED" if any run of it failed, undefined if never run. */
  median(t: ToolName, op: Op): Sample | "FAILED" | undefined {
    const p = this.of(t);
    if (p.failed.has(op)) return "FAILED";
    const xs = p.samples.get(op);
    if (!xs) return undefined;
    return { seconds: median(xs.map((x) => x.seconds)), rssMiB: median(xs.map((x) => x.rssMiB)) };
  }

  repo(t: ToolName): number | undefined {
    const xs = this.of(t).repoMiB;
    return xs.length ? median(xs) : undefined;
  }

  identical(t: ToolName): string {
    const xs = this.of(t).identical;
    return xs.length === 0 ? "FAILED" : xs.every((x) => x) ? "yes" : "NO";
  }
}

const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 ? "–" : (a / b).toFixed(2);
const seconds = (m: Sample | "FAILED" | undefined): number | undefined => (typeof m === "object" ? m.seconds : undefined);

export function renderTable(r: Results): string {
  const peers = r.tools.includes("ours") ? r.tools.filter((t) => t !== "ours") : [];
  const row = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  const lines = [
    row(["op", ...r.tools, ...peers.map((p) => `ours/${p}`)]),
    row(Array(1 + r.tools.length + peers.length).fill("---")),
  ];
  for (const op of OPS) {
    const ms = r.tools.map((t) => r.median(t, op));
    if (ms.every((m) => m === undefined)) continue;
    const cell = (m: Sample | "FAILED" | undefined): string =>
      m === undefined ? "–" : m === "FAILED" ? "FAILED" : `${m.seconds.toFixed(2)} (${m.rssMiB.toFixed(0)})`;
    const ours = seconds(r.median("ours", op));
    lines.push(row([op, ...ms.map(cell), ...peers.map((p) => ratio(ours, seconds(r.median(p, op))))]));
  }
  const repoCell = (t: ToolName): string => {
    const v = r.repo(t);
    return v === undefined ? "FAILED" : `${v.toFixed(v < 100 ? 1 : 0)} MiB`;
  };
  lines.push(row(["repo size", ...r.tools.map(repoCell), ...peers.map((p) => ratio(r.repo("ours"), r.repo(p)))]));
  lines.push(row(["restore identical", ...r.tools.map((t) => r.identical(t)), ...peers.map(() => "")]));
  return lines.join("\n");
}
