/** `backpak unlock [--remove-all]`: removes locks left by commands that are gone (or, with --remove-all, every lock). */
import { unlock as runUnlock } from "../../ops/unlock.ts";
import { stdout } from "../../ui/output.ts";
import { arg, type Command } from "../command.ts";
import { plural } from "../../lib/plural.ts";

export const unlock: Command = {
  lock: "none",
  spec: {
    name: "unlock",
    about: "Remove stale locks (of processes that are gone, or not refreshed for 30 minutes)",
    options: [{ long: "remove-all", kind: "flag", help: "Remove every lock, even of commands that may still be running" }],
  },
  async run(args, ctx) {
    const { removed, kept } = await runUnlock(await ctx.openRepository(), arg.flag(args, "remove-all"));
    stdout.line(`Removed ${plural(removed.length, "lock", "locks")}${kept.length > 0 ? `; ${kept.length} held by running commands kept (--remove-all removes them too)` : ""}`);
  },
};
