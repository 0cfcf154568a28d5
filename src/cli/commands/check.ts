/** `backpak check [-r | --read-packs-subset n/m|N%]`: verify the repository. */
import { check as runCheck } from "../../ops/check.ts";
import { parsePackSubset } from "../../ops/pack-subset.ts";
import { checkStatus, checkSummary } from "../../ui/check-json.ts";
import { printJson } from "../../ui/json-lines.ts";
import { checkLines } from "../../ui/progress-lines.ts";
import { arg, JSON_OPTION, QUIET_OPTION, type Command } from "../command.ts";
import { progressDisplay, wantsJson } from "../report-mode.ts";

export const check: Command = {
  lock: "read",
  spec: {
    name: "check",
    about: "Check the repository for errors",
    details:
      "By default this assumes integrity of the backup,\nand only ensures that needed files can be found and downloaded.\nIf `--read-packs` is specified, ensure that each pack has the expected blobs,\nthat those blobs match its manifest, and that those blobs match the index.\n\n" +
      "--read-packs-subset does that for part of the packs (restic's --read-data-subset): n/m reads the\n" +
      "n-th of m groups of packs, grouped by pack ID, so running it with n = 1, 2, … m (say one a night)\n" +
      "reads every pack once; N% reads a random N percent of them. The others are checked as without\n" +
      "--read-packs.\n\n" +
      "With --json: `status` messages while packs are read, then a `summary` (also when the check fails;\nthe errors themselves are on stderr). See docs/json.md.",
    options: [
      { long: "read-packs", short: "r", kind: "flag", help: "Check the contents of packs, not just that they exist" },
      {
        long: "read-packs-subset",
        kind: "value",
        value: "n/m|N%",
        validate: parsePackSubset,
        conflicts: ["read-packs"],
        help: "Check the contents of only these packs: the n-th of m groups, or a random N%",
      },
      QUIET_OPTION,
      JSON_OPTION,
    ],
  },
  async run(args, ctx) {
    const subsetText = arg.value(args, "read-packs-subset");
    const subset = subsetText === undefined ? undefined : parsePackSubset(subsetText);
    const readPacks = arg.flag(args, "read-packs") || subset !== undefined;
    const state = { packs: 0, totalPacks: 0 };
    const view = readPacks ? progressDisplay(args, (spin, elapsed) => checkLines(state, ctx.traffic, spin, elapsed), (elapsed) => checkStatus(state, elapsed)) : undefined;
    // Read what is really stored, not the local cache's copies.
    await runCheck(await ctx.openRepository({ cacheReads: "always" }), {
      readPacks,
      ...(subset ? { subset } : {}),
      onPack: (done, total) => {
        state.packs = done;
        state.totalPacks = total;
        view?.tick();
      },
      ...(wantsJson(args) ? { onSummary: (s) => printJson("summary", checkSummary(s, readPacks)) } : {}),
    }).finally(() => view?.done());
  },
};
