/** `backpak check [-r]`: verify the repository. */
import { check as runCheck } from "../../ops/check.ts";
import { ProgressView } from "../../ui/progress.ts";
import { checkLines } from "../../ui/progress-lines.ts";
import { arg, type Command } from "../command.ts";

export const check: Command = {
  lock: "read",
  spec: {
    name: "check",
    about: "Check the repository for errors",
    details:
      "By default this assumes integrity of the backup,\nand only ensures that needed files can be found and downloaded.\nIf `--read-packs` is specified, ensure that each pack has the expected blobs,\nthat those blobs match its manifest, and that those blobs match the index.",
    options: [{ long: "read-packs", short: "r", kind: "flag", help: "Check the contents of packs, not just that they exist" }],
  },
  async run(args, ctx) {
    const readPacks = arg.flag(args, "read-packs");
    const state = { packs: 0, totalPacks: 0 };
    const view = readPacks ? new ProgressView((spin, elapsed) => checkLines(state, ctx.traffic, spin, elapsed)) : undefined;
    // Read what is really stored, not the local cache's copies.
    await runCheck(await ctx.openRepository({ cacheReads: "always" }), {
      readPacks,
      onPack: (done, total) => {
        state.packs = done;
        state.totalPacks = total;
        view?.tick();
      },
    }).finally(() => view?.done());
  },
};
