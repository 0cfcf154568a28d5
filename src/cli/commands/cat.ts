/** `backpak cat <blob|pack|index|snapshot> <ID>` or `backpak cat config`: print an object or the repository's config as JSON (a chunk as raw bytes). */
import { cat as runCat, type CatKind, type CatResult } from "../../ops/cat.ts";
import { indexJson, manifestJson, repoConfigJson, snapshotJson, treeJson } from "../../ui/json.ts";
import { stdout } from "../../ui/output.ts";
import type { CommandSpec } from "../args.ts";
import { arg, type Command } from "../command.ts";

const sub = (name: CatKind, about: string, pos: string): CommandSpec => ({
  name,
  about,
  positionals: [{ name: pos, required: true, help: name === "snapshot" ? "An ID prefix, LAST (or latest) or LAST~N" : "The full 45-character ID" }],
});

export const cat: Command = {
  lock: "read",
  quiet: true,
  spec: {
    name: "cat",
    about: "Print objects (as JSON) to stdout",
    subcommands: [
      sub("blob", "Print the blob with the given ID (a chunk as its bytes, a tree as JSON)", "ID"),
      sub("pack", "Print the manifest of the pack with the given ID", "ID"),
      sub("index", "Print the index with the given ID", "ID"),
      sub("snapshot", "Print the snapshot with the given ID", "ID_PREFIX"),
      { name: "config", about: "Print the repository's config (its config.toml as JSON, credentials redacted)" },
    ],
  },
  async run(args, ctx) {
    const s = args.sub!;
    if (s.spec.name === "config") {
      stdout.line(repoConfigJson((await ctx.openRepository()).config));
      return;
    }
    const kind = s.spec.name as CatKind;
    stdout.write(render(await runCat(await ctx.openRepository(), kind, arg.pos(s, kind === "snapshot" ? "ID_PREFIX" : "ID"))));
  },
};

function render(r: CatResult): Uint8Array | string {
  switch (r.kind) {
    case "chunk":
      return r.bytes;
    case "tree":
      return treeJson(r.tree) + "\n";
    case "pack":
      return manifestJson(r.manifest) + "\n";
    case "index":
      return indexJson(r.index) + "\n";
    case "snapshot":
      return snapshotJson(r.snapshot) + "\n";
  }
}
