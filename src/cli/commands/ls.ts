/** `backpak ls <SNAPSHOT>`: every path in a snapshot. */
import { log } from "../../lib/log.ts";
import { loadRepository, snapshotTrees } from "../../ops/open.ts";
import { streamTree } from "../../repo/index.ts";
import { BufferedLines } from "../../ui/buffered-lines.ts";
import { nodeLine } from "../../ui/tree-lines.ts";
import { jsonLine } from "../../ui/json-lines.ts";
import { nodeJsonLine, snapshotFields } from "../../ui/json.ts";
import { arg, JSON_OPTION, QUIET_OPTION, type Command } from "../command.ts";
import { wantsJson } from "../report-mode.ts";

export const ls: Command = {
  lock: "read",
  quiet: true,
  spec: {
    name: "ls",
    about: "List the files in a snapshot",
    details: "With --json: a `snapshot` message, then a `node` message per path (docs/json.md).",
    options: [QUIET_OPTION, JSON_OPTION],
    positionals: [{ name: "SNAPSHOT", required: true, help: "The snapshot: an ID prefix, LAST (or latest) or LAST~N" }],
  },
  async run(args, ctx) {
    const loaded = await loadRepository(await ctx.openRepository());
    const { stored, trees } = snapshotTrees(loaded, arg.pos(args, "SNAPSHOT"));
    log.info(`Listing files for snapshot ${stored.id}`);
    // Printed as the walk goes, reading each directory when it is reached: neither the listing
    // nor the snapshot's trees are ever in memory whole.
    const out = new BufferedLines();
    const json = wantsJson(args);
    if (json) out.line(jsonLine("snapshot", snapshotFields(stored.id, stored.snapshot)));
    for await (const [p, node] of streamTree("", trees, stored.snapshot.tree)) out.line(json ? nodeJsonLine(p, node) : nodeLine("", p, node));
    out.flush();
  },
};
