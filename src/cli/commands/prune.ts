/** `backpak prune [-n]`: garbage-collect packs and indexes no snapshot needs. */
import { prune as runPrune } from "../../ops/prune.ts";
import { newRepackProgress } from "../../ops/repack-writer.ts";
import { stdout } from "../../ui/output.ts";
import { ProgressView } from "../../ui/progress.ts";
import { repackLines } from "../../ui/progress-lines.ts";
import { arg, type Command } from "../command.ts";
import type { CliContext } from "../context.ts";
import type { Repository } from "../../repo/repository.ts";

/** Prunes `repo` (opened with an exclusive lock), showing progress: the prune command's work, which `forget --prune` runs too. */
export async function pruneWithProgress(repo: Repository, ctx: CliContext, dryRun: boolean): Promise<void> {
  const progress = newRepackProgress();
  const view = new ProgressView((spin) => repackLines(progress, ctx.traffic, spin));
  progress.tick = () => view.tick();
  const scratchDir = ctx.scratch();
  await runPrune(repo, { dryRun, scratchDir, print: stdout.line, progress }).finally(() => view.done());
}

export const prune: Command = {
  lock: "exclusive",
  interrupted: "run it again and it resumes where it stopped",
  spec: {
    name: "prune",
    about: "Garbage collect: condense the backup, throwing out unused data.",
    details:
      "Forgetting a snapshot doesn't delete any data it references, since many snapshots share data.\nPacks with no data any snapshot uses are deleted; those with some are repacked.\nThe new index is stored before anything is deleted; an interrupted prune resumes.\nPacks no index lists, superseded indexes (what a killed run leaves) and second copies of blobs go too.",
    options: [{ long: "dry-run", short: "n", kind: "flag", help: "Work out and build everything, delete nothing" }],
  },
  async run(args, ctx) {
    await pruneWithProgress(await ctx.openRepository(), ctx, arg.flag(args, "dry-run"));
  },
};
