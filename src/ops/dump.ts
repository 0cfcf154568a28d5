/** `dump`: a file's contents, a directory's listing, or a symlink's target, from a snapshot. */
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { compareUtf8 } from "../lib/order.ts";
import { ChunkReader } from "../repo/chunk-reader.ts";
import type { Repository } from "../repo/repository.ts";
import { findSnapshot } from "../repo/snapshots.ts";
import { nodeLine } from "../ui/tree-lines.ts";
import { loadRepository } from "./open.ts";

export interface DumpOptions {
  readonly snapshot: string;
  /** Relative to the snapshot's root, starting with a backed-up path's last component. */
  readonly path: string;
  readonly write: (data: Uint8Array | string) => void;
}

/** Splits a dump path into names, refusing absolute paths and `..`. */
export function dumpComponents(p: string): string[] {
  if (p.startsWith("/")) throw new BackpakError("usage", "dump doesn't support absolute paths, .., etc.");
  const parts = p.split("/").filter((c) => c !== "" && c !== ".");
  if (parts.includes("..")) throw new BackpakError("usage", "dump doesn't support absolute paths, .., etc.");
  if (parts.length === 0) throw new BackpakError("usage", `Give dump a path inside the snapshot, not ${JSON.stringify(p)}`);
  return parts;
}

export async function dump(repo: Repository, opts: DumpOptions): Promise<void> {
  const loaded = await loadRepository(repo);
  const stored = findSnapshot(loaded.snapshots, opts.snapshot);
  log.info(`Printing ${opts.path} from snapshot ${stored.id}`);
  const parts = dumpComponents(opts.path);
  let treeId = stored.snapshot.tree;
  let soFar = "";
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    soFar = soFar === "" ? parts[i]! : `${soFar}/${parts[i]}`;
    const node = (await loaded.trees.tree(treeId)).get(parts[i]!);
    if (!node) throw new BackpakError("not-found", `Couldn't find ${soFar} in the given snapshot`);
    const c = node.contents;
    if (c.kind === "dir") {
      if (!last) {
        treeId = c.tree;
        continue;
      }
      const tree = await loaded.trees.tree(c.tree);
      const lines = [`${soFar}/`];
      for (const name of [...tree.keys()].sort(compareUtf8)) lines.push(nodeLine("", `${soFar}/${name}`, tree.get(name)!));
      opts.write(lines.join("\n") + "\n");
    } else if (c.kind === "symlink") {
      if (!last) throw new BackpakError("usage", `${soFar} is a symlink (to ${c.target}), not a directory`);
      opts.write(`${soFar} -> ${c.target}\n`);
    } else {
      if (!last) throw new BackpakError("usage", `${soFar} is a file, not a directory`);
      const reader = new ChunkReader(repo.backend, loaded.index.blobs);
      for (const id of c.chunks) opts.write(await reader.chunk(id));
    }
  }
}
