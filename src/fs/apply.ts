/** Changing the disk for a restore: symlinks, directories, removals, and nodes' metadata, at paths of any length. */
import fs from "node:fs";
import type { Node } from "../format/tree.ts";
import { BackpakError } from "../lib/errors.ts";
import { reach } from "./long-path.ts";
import { setTimes } from "./times.ts";

export function makeSymlink(target: string, path: string): void {
  try {
    fs.symlinkSync(target, reach(path));
  } catch (err) {
    throw new BackpakError("io", `Couldn't create symlink ${path}`, { cause: err });
  }
}

export function makeDir(path: string): void {
  try {
    fs.mkdirSync(reach(path));
  } catch (err) {
    throw new BackpakError("io", `Couldn't create dir ${path}`, { cause: err });
  }
}

/** Removes a node: directories with everything in them, anything else by unlinking (never following symlinks). */
export function removeNode(path: string, isDir: boolean): void {
  try {
    if (isDir) fs.rmSync(reach(path), { recursive: true, force: false });
    else fs.unlinkSync(reach(path));
  } catch (err) {
    throw new BackpakError("io", `Couldn't remove ${path}`, { cause: err });
  }
}

/** Applies a node's times (atime and mtime, on the node itself) and/or permissions (never on symlinks). */
export function applyMetadata(path: string, node: Node, opts: { times: boolean; permissions: boolean }): void {
  const m = node.metadata;
  if (opts.times) {
    const now = BigInt(Date.now()) * 1_000_000n;
    const atime = (m.type === "posix" ? m.atime : m.accessTime) ?? now;
    const mtime = (m.type === "posix" ? m.mtime : m.writeTime) ?? now;
    setTimes(path, atime, mtime);
  }
  if (opts.permissions && node.contents.kind !== "symlink") {
    if (m.type !== "posix") throw new BackpakError("usage", `Can't restore Windows permissions onto ${path}`);
    try {
      fs.chmodSync(reach(path), m.mode & 0o7777);
    } catch (err) {
      throw new BackpakError("io", `Couldn't chmod ${path}`, { cause: err });
    }
  }
}
