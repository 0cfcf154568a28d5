/** `backpak copy [-n] [-s REGEX]... [FILTERS] -t REPO (--all | <SNAPSHOTS>...)`: copy snapshots to another repository. */
import { usageError } from "../args.ts";
import { shortId } from "../../format/id.ts";
import { copy as runCopy } from "../../ops/copy.ts";
import { newRepackProgress } from "../../ops/repack-writer.ts";
import { mergeSkips } from "../../fs/skips.ts";
import { ProgressView } from "../../ui/progress.ts";
import { repackLines } from "../../ui/progress-lines.ts";
import { stdout } from "../../ui/output.ts";
import { arg, type Command } from "../command.ts";
import { isNoFilter } from "../../repo/index.ts";
import { FILTER_OPTIONS, snapshotFilter } from "../snapshot-filter-args.ts";

export const copy: Command = {
  lock: "shared",
  interrupted: "run it again and it resumes where it stopped",
  spec: {
    name: "copy",
    about: "Copy snapshots from one repository to another.",
    options: [
      { long: "dry-run", short: "n", kind: "flag", help: "Build everything, store nothing" },
      { long: "quiet", short: "q", kind: "flag", help: "Don't print progress" },
      { long: "skip", short: "s", kind: "multi", value: "regex", help: "Skip anything whose absolute path matches the given regular expression" },
      { long: "to", short: "t", kind: "value", value: "TO", path: true, help: "Destination repository" },
      { long: "all", kind: "flag", help: "Copy every snapshot (that the filters select)" },
      ...FILTER_OPTIONS,
    ],
    details: "Give the snapshots to copy, or --all, or filters (--tag, --author, --path) to copy every snapshot\nthey select. With references, LAST and latest count only the snapshots the filters select.",
    positionals: [{ name: "SNAPSHOTS", variadic: true, help: "The snapshots to copy (ID prefixes, LAST, latest, LAST~N)" }],
  },
  async run(args, ctx) {
    const to = arg.value(args, "to");
    if (to === undefined) throw usageError("backpak copy", "copy needs a destination: --to <REPOSITORY>");
    const refs = arg.list(args, "SNAPSHOTS");
    const all = arg.flag(args, "all");
    const filter = snapshotFilter(args);
    if (all ? refs.length > 0 : refs.length === 0 && isNoFilter(filter)) {
      throw usageError("backpak copy", "Give either --all or a list of snapshots to copy (or filters that select them)");
    }
    const scratchDir = ctx.scratch(to);
    const progress = newRepackProgress();
    const view = arg.flag(args, "quiet") ? undefined : new ProgressView((spin) => repackLines(progress, ctx.traffic, spin));
    if (view) progress.tick = () => view.tick();
    const ids = await runCopy(await ctx.openRepository(), await ctx.openRepositoryAt(to), {
      snapshots: refs,
      filter,
      skips: mergeSkips(ctx.config.skips, arg.multi(args, "skip")),
      dryRun: arg.flag(args, "dry-run"),
      scratchDir,
      progress,
    }).finally(() => view?.done());
    stdout.line(`Copied ${ids.length} snapshots: ${ids.map(shortId).join(", ")}`);
  },
};
