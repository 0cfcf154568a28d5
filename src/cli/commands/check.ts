/** `backpak check [-r]`: verify the repository. */
import { check as runCheck } from "../../ops/check.ts";
import { arg, type Command } from "../command.ts";

export const check: Command = {
  spec: {
    name: "check",
    about: "Check the repository for errors",
    details:
      "By default this assumes integrity of the backup,\nand only ensures that needed files can be found and downloaded.\nIf `--read-packs` is specified, ensure that each pack has the expected blobs,\nthat those blobs match its manifest, and that those blobs match the index.",
    options: [{ long: "read-packs", short: "r", kind: "flag", help: "Check the contents of packs, not just that they exist" }],
  },
  async run(args, ctx) {
    await runCheck(ctx.openRepository(), { readPacks: arg.flag(args, "read-packs") });
  },
};
