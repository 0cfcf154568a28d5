/** `backpak forget [-n] (<SNAPSHOTS>... | --keep-*...)`: forget snapshots by reference, DUPLICATES, or what a retention policy does not keep. */
import { shortId } from "../../format/id.ts";
import { civil } from "../../format/time.ts";
import { forgetByPolicy, forget as runForget } from "../../ops/forget.ts";
import { isEmptyPolicy, parseDuration, type RetentionGroup, type RetentionPolicy } from "../../ops/retention.ts";
import { stdout } from "../../ui/output.ts";
import { usageError, type OptSpec, type Parsed } from "../args.ts";
import { arg, type Command } from "../command.ts";

const COUNTS = [
  ["last", "Keep the N newest snapshots"],
  ["hourly", "Keep the newest snapshot of each of the N newest hours that have one"],
  ["daily", "Keep the newest snapshot of each of the N newest days that have one"],
  ["weekly", "Keep the newest snapshot of each of the N newest ISO weeks that have one"],
  ["monthly", "Keep the newest snapshot of each of the N newest months that have one"],
  ["yearly", "Keep the newest snapshot of each of the N newest years that have one"],
] as const;

const POLICY_OPTIONS: OptSpec[] = [
  ...COUNTS.map(([rule, help]): OptSpec => ({ long: `keep-${rule}`, kind: "value", value: "N", help })),
  { long: "keep-within", kind: "value", value: "DURATION", help: "Keep every snapshot taken at most DURATION before the newest one\n(y, m, d, h; e.g. 1y5m7d2h)" },
  { long: "keep-tag", kind: "multi", value: "TAG", help: "Keep every snapshot with this tag (can be given more than once)" },
];

/** A --keep-* count: a positive whole number. */
function count(text: string, option: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n) || n === 0) {
    throw usageError("backpak forget", `--${option} needs a positive whole number, not ${JSON.stringify(text)}`);
  }
  return n;
}

/** The policy the --keep-* options describe (empty when none is given). */
function policyOf(args: Parsed): RetentionPolicy {
  const policy: { -readonly [K in keyof RetentionPolicy]: RetentionPolicy[K] } = {};
  for (const [rule] of COUNTS) {
    const text = arg.value(args, `keep-${rule}`);
    if (text !== undefined) policy[rule] = count(text, `keep-${rule}`);
  }
  const within = arg.value(args, "keep-within");
  if (within !== undefined) policy.within = parseDuration(within);
  const tags = arg.multi(args, "keep-tag");
  if (tags.length > 0) policy.tags = tags;
  return policy;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** `2024-11-07 22:55:36 US/Pacific`: the time in the snapshot's own zone, where its buckets are. */
function dateOf(ns: bigint, tz: string): string {
  const c = civil(ns, tz);
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)} ${tz}`;
}

/** Per group: a header with its paths, then `keep   <id>  <date>  (<reasons>)` or `remove <id>  <date>`, newest first. */
export function retentionLines(groups: readonly RetentionGroup[]): string[] {
  const lines: string[] = [];
  for (const g of groups) {
    if (lines.length > 0) lines.push("");
    lines.push(`Snapshots of ${g.paths.length > 0 ? g.paths.join(", ") : "no paths"}:`);
    for (const { snapshot: s, keep, reasons } of g.verdicts) {
      const date = dateOf(s.snapshot.time, s.snapshot.tz);
      lines.push(keep ? `keep   ${shortId(s.id)}  ${date}  (${reasons.join(", ")})` : `remove ${shortId(s.id)}  ${date}`);
    }
  }
  return lines;
}

export const forget: Command = {
  lock: "shared",
  spec: {
    name: "forget",
    about: "Forget snapshots",
    details: [
      "Give either the snapshots to forget or a retention policy (--keep-* options), not both.",
      "A policy is applied separately to each group of snapshots with the same paths: each --keep-*",
      "rule keeps what it selects, every other snapshot of the group is forgotten. Times are taken",
      "in each snapshot's own time zone. For example, --keep-daily 7 --keep-weekly 4 keeps the",
      "newest snapshot of each of the last 7 days and of each of the last 4 weeks that have one.",
      "",
      "Data used by these snapshots is not immediately deleted,\nbut will be thrown out by the next `prune`.",
      "",
      "Examples:",
      "  backpak -r /srv/backups forget --keep-daily 7 --keep-weekly 4 --keep-monthly 12",
      "  backpak -r /srv/backups forget -n --keep-within 30d     (name what it would forget)",
      "  backpak -r /srv/backups forget 1a2b3c4d LAST~           (two snapshots by reference)",
    ].join("\n"),
    options: [{ long: "dry-run", short: "n", kind: "flag", help: "Name what would be forgotten, forget nothing" }, ...POLICY_OPTIONS],
    positionals: [
      { name: "SNAPSHOTS", variadic: true, help: 'The snapshots to forget (ID prefixes, LAST, LAST~N), or "DUPLICATES" to forget duplicate snapshots' },
    ],
  },
  async run(args, ctx) {
    const refs = arg.list(args, "SNAPSHOTS");
    const policy = policyOf(args);
    const dryRun = arg.flag(args, "dry-run");
    if (isEmptyPolicy(policy) === (refs.length === 0)) {
      const msg = refs.length === 0 ? "Give the snapshots to forget, or a retention policy with --keep-* options" : "Give either snapshots to forget or --keep-* options, not both";
      throw usageError("backpak forget", msg);
    }
    if (refs.length > 0) return runForget(await ctx.openRepository(), { refs, dryRun, print: stdout.line });
    await forgetByPolicy(await ctx.openRepository(), policy, dryRun, (groups) => {
      const lines = retentionLines(groups);
      if (lines.length > 0) stdout.write(lines.join("\n") + "\n");
    }, stdout.line);
  },
};
