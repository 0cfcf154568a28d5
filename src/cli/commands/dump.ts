/** `backpak dump [-o FILE] <SNAPSHOT> <PATH>`: print a file or directory listing from a snapshot. */
import fs from "node:fs";
import path from "node:path";
import { openFileRange, PRIVATE_FILE } from "../../lib/fsutil.ts";
import { workTempPath } from "../../repo/work-temps.ts";
import { sortedEntries } from "../../format/tree.ts";
import { BackpakError } from "../../lib/errors.ts";
import { dump as runDump } from "../../ops/dump.ts";
import { stdout } from "../../ui/output.ts";
import { nodeLine } from "../../ui/tree-lines.ts";
import { arg, type Command } from "../command.ts";

export const dump: Command = {
  lock: "read",
  quiet: true,
  spec: {
    name: "dump",
    about: "Print a given file or directory from a given snapshot",
    options: [{ long: "output", short: "o", kind: "value", value: "FILE", path: true, help: "Write to the given file instead of stdout (- is stdout)" }],
    positionals: [
      { name: "SNAPSHOT", required: true, help: "The snapshot: an ID prefix, LAST or LAST~N" },
      { name: "PATH", required: true, help: "The path inside the snapshot, e.g. src/main.rs" },
    ],
  },
  async run(args, ctx) {
    const target = await runDump(await ctx.openRepository(), { snapshot: arg.pos(args, "SNAPSHOT"), path: arg.pos(args, "PATH") });
    const out = arg.value(args, "output");
    if (target.kind === "file") {
      if (out !== undefined && out !== "-") return target.writeTo(path.resolve(out));
      // To stdout: the workers write a scratch file in the scratch directory, then it is copied out.
      // Made private first, so the file written over it is too (a repository's plaintext may be secret).
      const scratch = workTempPath(ctx.scratch(), "dump");
      try {
        fs.closeSync(fs.openSync(scratch, "wx", PRIVATE_FILE));
        await target.writeTo(scratch);
        const r = openFileRange(scratch);
        const buf = new Uint8Array(1 << 20);
        try {
          for (let pos = 0, n; (n = r.readInto(buf, pos)) > 0; pos += n) stdout.write(buf.subarray(0, n));
        } finally {
          r.close();
        }
      } finally {
        fs.rmSync(scratch, { force: true });
      }
      return;
    }
    const text =
      target.kind === "symlink"
        ? `${target.path} -> ${target.target}\n`
        : [`${target.path}/`, ...sortedEntries(target.tree).map(([name, node]) => nodeLine("", `${target.path}/${name}`, node))].join("\n") + "\n";
    if (out === undefined || out === "-") stdout.write(text);
    else {
      try {
        fs.writeFileSync(out, text);
      } catch (err) {
        throw new BackpakError("io", `Couldn't write ${out}`, { cause: err });
      }
    }
  },
};
