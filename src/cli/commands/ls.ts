/** `backpak ls <SNAPSHOT>`: every path in a snapshot. */
import { log } from "../../lib/log.ts";
import { loadRepository, snapshotTrees } from "../../ops/open.ts";
import { streamTree } from "../../repo/tree-walk.ts";
import { BufferedLines } from "../../ui/buffered-lines.ts";
import { nodeLine } from "../../ui/tree-lines.ts";
import { arg, type Command } from "../command.ts";

export const ls: Command = {
  lock: "read",
  quiet: true,
  spec: {
    name: "ls",
    about: "List the files in a snapshot",
    positionals: [{ name: "SNAPSHOT", required: true, help: "The snapshot: an ID prefix, LAST or LAST~N" }],
  },
  async run(args, ctx) {
    const loaded = await loadRepository(await ctx.openRepository());
    const { stored, trees } = snapshotTrees(loaded, arg.pos(args, "SNAPSHOT"));
    log.info(`Listing files for snapshot ${stored.id}`);
    // Printed as the walk goes, reading each directory when it is reached: neither the listing
    // nor the snapshot's trees are ever in memory whole.
    const out = new BufferedLines();
    for await (const [p, node] of streamTree("", trees, stored.snapshot.tree)) out.line(nodeLine("", p, node));
    out.flush();
  },
};
