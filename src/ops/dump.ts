/**
 * `dump`: find a path in a snapshot and hand over a file's contents (written to a file by the
 * workers, which read and verify its chunks in parallel), a directory's entries (or its tar stream),
 * or a symlink's target.
 */
import fs from "node:fs";
import type { Tree } from "../format/tree.ts";
import { BackpakError, context } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { findSnapshot, type Repository } from "../repo/index.ts";
import { tarOfDirectory } from "./dump-tar.ts";
import { FileWriter } from "./file-writer.ts";
import { loadRepository } from "./open.ts";

export interface DumpOptions {
  readonly snapshot: string;
  /** Relative to the snapshot's root, starting with a backed-up path's last component. */
  readonly path: string;
}

/** What a dump path names; `path` is the normalized path inside the snapshot. */
export type DumpTarget =
  | { readonly kind: "file"; readonly path: string; readonly writeTo: (file: string) => Promise<void> }
  | { readonly kind: "dir"; readonly path: string; readonly tree: Tree; readonly tar: () => AsyncGenerator<Uint8Array> }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string };

/** Splits a dump path into names, refusing absolute paths and `..`. */
export function dumpComponents(p: string): string[] {
  if (p.startsWith("/")) throw new BackpakError("usage", "dump doesn't support absolute paths, .., etc.");
  const parts = p.split("/").filter((c) => c !== "" && c !== ".");
  if (parts.includes("..")) throw new BackpakError("usage", "dump doesn't support absolute paths, .., etc.");
  if (parts.length === 0) throw new BackpakError("usage", `Give dump a path inside the snapshot, not ${JSON.stringify(p)}`);
  return parts;
}

export async function dump(repo: Repository, opts: DumpOptions): Promise<DumpTarget> {
  const loaded = await loadRepository(repo);
  const stored = findSnapshot(loaded.snapshots, opts.snapshot);
  log.info(`Printing ${opts.path} from snapshot ${stored.id}`);
  const parts = dumpComponents(opts.path);
  let treeId = stored.snapshot.tree;
  let soFar = "";
  for (let i = 0; ; i++) {
    const last = i === parts.length - 1;
    soFar = soFar === "" ? parts[i]! : `${soFar}/${parts[i]}`;
    const node = (await loaded.trees.tree(treeId)).get(parts[i]!);
    if (!node) throw new BackpakError("not-found", `Couldn't find ${soFar} in the given snapshot`);
    const c = node.contents;
    if (c.kind === "dir") {
      if (last) {
        const tree = await loaded.trees.tree(c.tree);
        const dirPath = soFar;
        return { kind: "dir", path: dirPath, tree, tar: () => tarOfDirectory(loaded, dirPath, node, tree) };
      }
      treeId = c.tree;
    } else if (c.kind === "symlink") {
      if (!last) throw new BackpakError("usage", `${soFar} is a symlink (to ${c.target}), not a directory`);
      return { kind: "symlink", path: soFar, target: c.target };
    } else {
      if (!last) throw new BackpakError("usage", `${soFar} is a file, not a directory`);
      return {
        kind: "file",
        path: soFar,
        writeTo: async (file) => {
          const writer = new FileWriter(repo, loaded.index, { times: false, permissions: false });
          try {
            await writer.file(file, node, fs.existsSync(file));
            const [unwritten] = await writer.finish();
            if (unwritten) throw context(unwritten.why.kind, `Couldn't write ${file}`, unwritten.why, "run `backpak check` to see what else uses the missing or damaged pack");
          } finally {
            await writer.close();
          }
        },
      };
    }
  }
}
