/**
 * `backpak forget [-n] [--prune] [FILTERS] (<SNAPSHOTS>... | --keep-*... [--group-by FIELDS])`:
 * forget snapshots by reference, DUPLICATES, or what a retention policy does not keep; then prune.
 */
import { shortId, type SnapshotId } from "../../format/id.ts";
import { civil } from "../../format/time.ts";
import { forgetByPolicy, forget as runForget } from "../../ops/forget.ts";
import { DEFAULT_GROUP_BY, GROUP_FIELDS, isEmptyPolicy, parseDuration, type GroupField, type RetentionGroup, type RetentionPolicy } from "../../ops/retention.ts";
import { BackpakError } from "../../lib/errors.ts";
import { stdout } from "../../ui/output.ts";
import { usageError, type OptSpec, type Parsed } from "../args.ts";
import { printForgetSummary, printNamedVerdict, printPolicyVerdicts } from "../../ui/forget-json.ts";
import { arg, JSON_OPTION, QUIET_OPTION, type Command } from "../command.ts";
import { wantsJson } from "../report-mode.ts";
import { FILTER_OPTIONS, snapshotFilter } from "../snapshot-filter-args.ts";
import { pruneWithProgress } from "./prune.ts";

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

/** `--group-by`: a comma list of author, paths and tags (or "" for one group of every snapshot). */
function groupBy(text: string): GroupField[] {
  const fields = text.split(",").filter((f) => f !== "");
  for (const f of fields) {
    if (!(GROUP_FIELDS as readonly string[]).includes(f)) {
      throw new BackpakError("usage", `${JSON.stringify(f)} is not something snapshots can be grouped by`, { hint: `use a comma list of ${GROUP_FIELDS.join(", ")}, or "" for no grouping` });
    }
  }
  return fields as GroupField[];
}

/** `Snapshots of /a, /b by alice tagged x:`: what a group's snapshots have in common. */
function groupHeader(g: RetentionGroup): string {
  const paths = g.paths === undefined ? "" : ` of ${g.paths.length > 0 ? g.paths.join(", ") : "no paths"}`;
  const author = g.author === undefined ? "" : ` by ${g.author}`;
  const tags = g.tags === undefined ? "" : g.tags.length > 0 ? ` tagged ${g.tags.join(", ")}` : " without tags";
  return paths + author + tags === "" ? "All snapshots:" : `Snapshots${paths}${author}${tags}:`;
}

/** Per group: a header with what its snapshots share, then `keep   <id>  <date>  (<reasons>)` or `remove <id>  <date>`, newest first. */
export function retentionLines(groups: readonly RetentionGroup[]): string[] {
  const lines: string[] = [];
  for (const g of groups) {
    if (lines.length > 0) lines.push("");
    lines.push(groupHeader(g));
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
      "A policy is applied separately to each group of snapshots with the same author and paths",
      "(--group-by changes that): each --keep-* rule keeps what it selects, every other snapshot of",
      "the group is forgotten. Times are taken in each snapshot's own time zone. For example,",
      "--keep-daily 7 --keep-weekly 4 keeps the newest snapshot of each of the last 7 days and of",
      "each of the last 4 weeks that have one.",
      "",
      "Grouping by author is new: before, snapshots were grouped by paths only, so one author's",
      "snapshots could make another's go. `--group-by paths` groups as before; `--group-by ''` puts",
      "every snapshot in one group.",
      "",
      "Filters (--tag, --author/--host, --path) limit a policy or DUPLICATES to the snapshots they",
      "select, and LAST/latest to the newest of those; an ID names its snapshot whatever they say.",
      "",
      "Data used by these snapshots is not immediately deleted,\nbut will be thrown out by the next `prune`",
      "(or at once with --prune, which then prunes as `backpak prune` does, with its exclusive lock).",
      "",
      "With --json: a `verdict` message per snapshot (keep or remove, with the rules that keep it),",
      "then a `summary` (docs/json.md).",
      "",
      "Examples:",
      "  backpak -r /srv/backups forget --keep-daily 7 --keep-weekly 4 --keep-monthly 12",
      "  backpak -r /srv/backups forget -n --keep-within 30d     (name what it would forget)",
      "  backpak -r /srv/backups forget 1a2b3c4d LAST~           (two snapshots by reference)",
      "  backpak -r /srv/backups forget --author web1 --keep-last 3 --prune",
    ].join("\n"),
    options: [
      { long: "dry-run", short: "n", kind: "flag", help: "Name what would be forgotten, forget nothing" },
      ...POLICY_OPTIONS,
      {
        long: "group-by",
        kind: "value",
        value: "FIELDS",
        validate: groupBy,
        help: "Apply the policy to each group of snapshots that agree on these: a comma list of\nauthor, paths and tags, or '' for one group [default: author,paths]",
      },
      ...FILTER_OPTIONS,
      { long: "prune", kind: "flag", help: "Prune afterwards (see `backpak prune`; not with --dry-run)" },
      QUIET_OPTION,
      JSON_OPTION,
    ],
    positionals: [
      { name: "SNAPSHOTS", variadic: true, help: 'The snapshots to forget (ID prefixes, LAST, latest, LAST~N), or "DUPLICATES" to forget duplicate snapshots' },
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
    const grouping = arg.value(args, "group-by");
    if (refs.length > 0 && grouping !== undefined) throw usageError("backpak forget", "--group-by goes with a retention policy (--keep-* options), not with snapshots named");
    const prune = arg.flag(args, "prune");
    if (prune && dryRun) throw usageError("backpak forget", "--prune can't go with --dry-run: a dry run forgets nothing for prune to clear");
    const filter = snapshotFilter(args);
    const json = wantsJson(args);
    const removed: SnapshotId[] = [];
    const removing = (id: SnapshotId): void => {
      removed.push(id);
      if (!json) stdout.line(dryRun ? `Would remove ${id}` : `Forgetting ${id}`);
    };
    let kept = 0;
    if (refs.length > 0) {
      const duplicateOf = new Map<SnapshotId, SnapshotId>();
      await runForget(await ctx.openRepository(), {
        refs,
        dryRun,
        filter,
        events: {
          removing: (id) => {
            if (json) printNamedVerdict(id, duplicateOf.get(id));
            removing(id);
          },
          duplicate: (dup, of) => {
            duplicateOf.set(dup, of);
            if (!json) stdout.line(`Snapshot ${dup} is a duplicate of ${of}`);
          },
        },
      });
    } else {
      const scope = { filter, groupBy: grouping === undefined ? DEFAULT_GROUP_BY : groupBy(grouping) };
      await forgetByPolicy(await ctx.openRepository(), policy, dryRun, (groups) => {
        kept = groups.reduce((n, g) => n + g.verdicts.filter((v) => v.keep).length, 0);
        if (json) return printPolicyVerdicts(groups);
        const lines = retentionLines(groups);
        if (lines.length > 0) stdout.write(lines.join("\n") + "\n");
      }, removing, scope);
    }
    if (json) printForgetSummary(dryRun, kept, removed);
    if (!prune) return;
    // Prune runs alone: give up forget's shared lock and take prune's exclusive one.
    await ctx.releaseLocks();
    await pruneWithProgress(await ctx.openRepository({ lock: "exclusive" }), ctx, args, false);
  },
};
