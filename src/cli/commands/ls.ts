/** `backpak ls <SNAPSHOT>`: every path in a snapshot. */
import { log } from "../../lib/log.ts";
import { loadRepository, snapshotWithForest } from "../../ops/open.ts";
import { stdout } from "../../ui/output.ts";
import { nodeLine, walkTree } from "../../ui/tree-lines.ts";
import { arg, type Command } from "../command.ts";

export const ls: Command = {
  quiet: true,
  spec: {
    name: "ls",
    about: "List the files in a snapshot",
    positionals: [{ name: "SNAPSHOT", required: true, help: "The snapshot: an ID prefix, LAST or LAST~N" }],
  },
  async run(args, ctx) {
    const loaded = await loadRepository(ctx.openRepository());
    const { stored, forest } = await snapshotWithForest(loaded, arg.pos(args, "SNAPSHOT"));
    log.info(`Listing files for snapshot ${stored.id}`);
    const lines: string[] = [];
    for (const [p, node] of walkTree("", forest, stored.snapshot.tree)) lines.push(nodeLine("", p, node));
    if (lines.length > 0) stdout.write(lines.join("\n") + "\n");
  },
};
