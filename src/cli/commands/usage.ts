/** `backpak usage`: repository size statistics, as backpak prints them. */
import { civilString } from "../../format/time.ts";
import { log } from "../../lib/log.ts";
import { niceSize } from "../../lib/sizes.ts";
import { usage as runUsage } from "../../ops/usage.ts";
import { stdout } from "../../ui/output.ts";
import { printJson } from "../../ui/json-lines.ts";
import { usageMessage } from "../../ui/usage-json.ts";
import { JSON_OPTION, QUIET_OPTION, type Command } from "../command.ts";
import { wantsJson } from "../report-mode.ts";
import { plural } from "../../lib/plural.ts";

export const usage: Command = {
  lock: "read",
  spec: {
    name: "usage",
    about: "Print repository size stats.",
    details: "With --json: one `usage` message (docs/json.md).",
    options: [QUIET_OPTION, JSON_OPTION],
  },
  async run(args, ctx) {
    const repo = await ctx.openRepository();
    const r = await runUsage(repo);
    if (r.unusedBytes < 0) log.warn(`Snapshots contain ${niceSize(-r.unusedBytes)} more than packs! Consider running \`backpak check\`.`);
    if (wantsJson(args)) return printJson("usage", usageMessage(r, repo.config.backend.type));
    const lines: string[] = [];
    if (r.snapshots === 0) lines.push("0 snapshots");
    else {
      lines.push(`${r.snapshots} snapshots, from ${civilString(r.first!.time, r.first!.tz)} to ${civilString(r.last!.time, r.last!.tz)}`);
      lines.push(`${niceSize(r.uniqueBytes)} unique data`, `${niceSize(r.reusedBytes)} reused (deduplicated)`);
    }
    const unused = r.unusedBytes > 0 ? `, including ${niceSize(r.unusedBytes)} unused data.\nConsider running \`backpak prune\`.` : "";
    lines.push("", `${plural(r.indexes, "index", "indexes")} reference ${r.packs} packs${unused}`);
    const filter = repo.config.filter ? ` and ${repo.config.filter.filter.trim().split(/\s+/)[0]}` : "";
    lines.push(
      "",
      `${repo.config.backend.type} usage after zstd compression${filter}:`,
      `snapshots: ${niceSize(r.snapshotFileBytes)}`,
      `indexes:   ${niceSize(r.indexFileBytes)}`,
      `packs:     ${niceSize(r.packFileBytes)}`,
      `total:     ${niceSize(r.snapshotFileBytes + r.indexFileBytes + r.packFileBytes)}`,
    );
    stdout.write(lines.join("\n") + "\n");
  },
};
