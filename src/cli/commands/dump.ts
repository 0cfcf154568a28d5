/** `backpak dump [-o FILE] [--archive tar] <SNAPSHOT> <PATH>`: print a file, a directory listing or a directory's tar archive from a snapshot. */
import fs from "node:fs";
import path from "node:path";
import { openFileRange, PRIVATE_FILE, writeStreamAtomic } from "../../lib/fsutil.ts";
import { workTempPath } from "../../repo/index.ts";
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
    details: [
      "A file is printed as it is. A directory is listed, one entry a line, or with --archive tar written as",
      "a tar archive (pax/ustar: modes, owners, mtimes, symlinks and directories; entries named from PATH),",
      "streamed as it is read, so `backpak dump --archive tar LAST dir | tar -x` recreates dir.",
      "",
      "Examples:",
      "  backpak dump LAST db.sql > db.sql",
      "  backpak dump --archive tar LAST home | tar -x -C /tmp/restored",
    ].join("\n"),
    options: [
      { long: "output", short: "o", kind: "value", value: "FILE", path: true, help: "Write to the given file instead of stdout (- is stdout)" },
      { long: "archive", kind: "value", value: "FORMAT", choices: ["tar"], help: "Write a directory as an archive in this format (tar) instead of listing it" },
    ],
    positionals: [
      { name: "SNAPSHOT", required: true, help: "The snapshot: an ID prefix, LAST (or latest) or LAST~N" },
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
    if (target.kind === "dir" && arg.value(args, "archive") === "tar") {
      if (out !== undefined && out !== "-") return writeStreamAtomic(path.resolve(out), target.tar());
      for await (const piece of target.tar()) stdout.write(piece);
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
