/** `backpak rebuild-index [-n]`: one new index from every pack's manifest. */
import { rebuildIndex as run } from "../../ops/rebuild-index.ts";
import { arg, type Command } from "../command.ts";

export const rebuildIndex: Command = {
  lock: "exclusive",
  spec: {
    name: "rebuild-index",
    about: "Build a new index from all existing packs and delete all old ones.",
    options: [{ long: "dry-run", short: "n", kind: "flag", help: "Build the index, store and delete nothing" }],
  },
  async run(args, ctx) {
    const scratchDir = ctx.scratch();
    await run(await ctx.openRepository(), { dryRun: arg.flag(args, "dry-run"), scratchDir });
  },
};
