/** `backpak dump [-o FILE] <SNAPSHOT> <PATH>`: print a file or directory listing from a snapshot. */
import fs from "node:fs";
import { sortedEntries } from "../../format/tree.ts";
import { BackpakError } from "../../lib/errors.ts";
import { dump as runDump } from "../../ops/dump.ts";
import { stdout } from "../../ui/output.ts";
import { nodeLine } from "../../ui/tree-lines.ts";
import { arg, type Command } from "../command.ts";

export const dump: Command = {
  quiet: true,
  spec: {
    name: "dump",
    about: "Print a given file or directory from a given snapshot",
    options: [{ long: "output", short: "o", kind: "value", value: "FILE", help: "Write to the given file instead of stdout (- is stdout)" }],
    positionals: [
      { name: "SNAPSHOT", required: true, help: "The snapshot: an ID prefix, LAST or LAST~N" },
      { name: "PATH", required: true, help: "The path inside the snapshot, e.g. src/main.rs" },
    ],
  },
  async run(args, ctx) {
    const target = await runDump(ctx.openRepository(), { snapshot: arg.pos(args, "SNAPSHOT"), path: arg.pos(args, "PATH") });
    const out = arg.value(args, "output");
    let fd: number | undefined;
    if (out !== undefined && out !== "-") {
      try {
        fd = fs.openSync(out, "w");
      } catch (err) {
        throw new BackpakError("io", `Couldn't create file ${out}`, { cause: err });
      }
    }
    const write = (data: Uint8Array | string): void => {
      if (fd === undefined) stdout.write(data);
      else fs.writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    };
    try {
      if (target.kind === "file") {
        for await (const bytes of target.chunks) write(bytes);
      } else if (target.kind === "symlink") {
        write(`${target.path} -> ${target.target}\n`);
      } else {
        const lines = [`${target.path}/`, ...sortedEntries(target.tree).map(([name, node]) => nodeLine("", `${target.path}/${name}`, node))];
        write(lines.join("\n") + "\n");
      }
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  },
};
