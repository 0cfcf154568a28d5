/**
 * `dump --archive tar` of a directory: its entries as a tar stream (format/tar.ts), depth first
 * in name order, each directory before what it holds. File contents are read chunk by chunk
 * (each verified against its ID) and handed over as they come, garbage being collected every
 * 128 MB, so memory stays bounded by the chunk reader's small cache whatever the archive's size.
 */
import type { BlobId } from "../format/id.ts";
import { TAR_END, tarHeader, tarPadding, type TarEntry } from "../format/tar.ts";
import { modificationTime, sortedEntries, type Node, type Tree } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { GcSchedule } from "../pipeline/gc-schedule.ts";
import { ChunkReader } from "../repo/index.ts";
import type { LoadedRepository } from "./open.ts";

/** The tar stream of the directory `node` (its tree already loaded as `tree`), named `path` in the archive. */
export async function* tarOfDirectory(loaded: LoadedRepository, path: string, node: Node, tree: Tree): AsyncGenerator<Uint8Array> {
  // A file's chunks are read in order, so each frame is decoded once even with a small cache; with
  // the default 64 MiB, and garbage collected only when the runtime chose, a 300 MB archive peaked at 400 MB.
  const reader = new ChunkReader(loaded.repo.backend, loaded.index.blobs, 8 << 20);
  const blobs = loaded.index.blobs;
  const gc = new GcSchedule();
  async function* walk(dirPath: string, dir: Node, entries: Tree): AsyncGenerator<Uint8Array> {
    yield tarHeader(tarEntry(dirPath, dir, 0));
    for (const [name, child] of sortedEntries(entries)) {
      const childPath = `${dirPath}/${name}`;
      const c = child.contents;
      if (c.kind === "dir") yield* walk(childPath, child, await loaded.trees.tree(c.tree));
      else if (c.kind === "symlink") yield tarHeader(tarEntry(childPath, child, 0, c.target));
      else {
        const size = c.chunks.reduce((sum, id) => sum + chunkLength(blobs, id, childPath), 0);
        yield tarHeader(tarEntry(childPath, child, size));
        for (const id of c.chunks) {
          const bytes = await reader.chunk(id);
          gc.add(bytes.length);
          yield bytes;
        }
        yield tarPadding(size);
      }
    }
  }
  yield* walk(path, node, tree);
  yield TAR_END;
}

function chunkLength(blobs: LoadedRepository["index"]["blobs"], id: BlobId, path: string): number {
  const loc = blobs.get(id);
  if (!loc) throw new BackpakError("not-found", `Couldn't find chunk ${id} of ${path} in the index`, { hint: "run `backpak check`" });
  return loc.length;
}

/** A tree node as a tar entry; Windows metadata gets 0644 (0755 for directories) and uid and gid 0. */
function tarEntry(path: string, node: Node, size: number, target?: string): TarEntry {
  const type = node.contents.kind;
  const m = node.metadata;
  const posix = m.type === "posix";
  return {
    path,
    type,
    mode: posix ? m.mode & 0o7777 : type === "dir" ? 0o755 : 0o644,
    uid: posix ? m.uid : 0,
    gid: posix ? m.gid : 0,
    mtime: modificationTime(m) ?? 0n,
    size,
    ...(target !== undefined ? { target } : {}),
  };
}
