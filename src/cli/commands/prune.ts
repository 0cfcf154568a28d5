/** `backpak prune [-n]`: garbage-collect packs and indexes no snapshot needs. */
import { prune as runPrune } from "../../ops/prune.ts";
import { newRepackProgress } from "../../ops/repack-writer.ts";
import type { Repository } from "../../repo/index.ts";
import { printJson } from "../../ui/json-lines.ts";
import { stdout } from "../../ui/output.ts";
import { repackLines } from "../../ui/progress-lines.ts";
import { pruneSummary, repackStatus } from "../../ui/prune-json.ts";
import type { Parsed } from "../args.ts";
import { arg, JSON_OPTION, QUIET_OPTION, type Command } from "../command.ts";
import type { CliContext } from "../context.ts";
import { progressDisplay, wantsJson } from "../report-mode.ts";

/**
 * Prunes `repo` (opened with an exclusive lock), showing progress and the summary as `args`' -q and
 * --json ask: the prune command's work, which `forget --prune` runs too.
 */
export async function pruneWithProgress(repo: Repository, ctx: CliContext, args: Parsed, dryRun: boolean): Promise<void> {
  const progress = newRepackProgress();
  const view = progressDisplay(args, (spin) => repackLines(progress, ctx.traffic, spin), (elapsed) => repackStatus(progress, ctx.traffic, elapsed));
  if (view) progress.tick = () => view.tick();
  const scratchDir = ctx.scratch();
  const json = wantsJson(args);
  const report = await runPrune(repo, { dryRun, scratchDir, print: json ? () => {} : stdout.line, progress }).finally(() => view?.done());
  if (json) printJson("summary", pruneSummary(report, dryRun));
}

export const prune: Command = {
  lock: "exclusive",
  interrupted: "run it again and it resumes where it stopped",
  spec: {
    name: "prune",
    about: "Garbage collect: condense the backup, throwing out unused data.",
    details:
      "Forgetting a snapshot doesn't delete any data it references, since many snapshots share data.\nPacks with no data any snapshot uses are deleted; those with some are repacked.\nThe new index is stored before anything is deleted; an interrupted prune resumes.\nPacks no index lists, superseded indexes (what a killed run leaves) and second copies of blobs go too." +
      "\n\nWith --json: `status` messages while it repacks, then a `summary` (docs/json.md).",
    options: [{ long: "dry-run", short: "n", kind: "flag", help: "Work out and build everything, delete nothing" }, QUIET_OPTION, JSON_OPTION],
  },
  async run(args, ctx) {
    await pruneWithProgress(await ctx.openRepository(), ctx, args, arg.flag(args, "dry-run"));
  },
};
