/**
 * Trees: one directory as a CBOR map { name → node } in UTF-8 byte order. A node is an
 * indefinite-length map of a content key ("chunks" | "tree" | "symlink") then "metadata"
 * (POSIX or Windows). The empty tree is `a0`. Tree ID = SHA-224 of these bytes.
 */
import { compareUtf8 } from "../lib/order.ts";
import { CborWriter } from "./cbor.ts";
import { CborCursor } from "./cbor-cursor.ts";
import { idToDigest, type BlobId } from "./id.ts";

export type NodeContents =
  | { readonly kind: "file"; readonly chunks: readonly BlobId[] }
  | { readonly kind: "dir"; readonly tree: BlobId }
  | { readonly kind: "symlink"; readonly target: string };

/** `stat` fields backpak keeps on POSIX; times are nanoseconds since the Unix epoch. */
export interface PosixMetadata {
  readonly type: "posix";
  readonly mode: number;
  /** Only for regular files. */
  readonly size?: number;
  readonly uid: number;
  readonly gid: number;
  readonly atime: bigint;
  readonly mtime: bigint;
}

export interface WindowsMetadata {
  readonly type: "windows";
  readonly attributes: number;
  readonly size?: number;
  readonly creationTime: bigint | null;
  readonly accessTime: bigint | null;
  readonly writeTime: bigint | null;
}

export type NodeMetadata = PosixMetadata | WindowsMetadata;

export interface Node {
  readonly contents: NodeContents;
  readonly metadata: NodeMetadata;
}

/** A directory: entry names (single path components) to nodes. Iterate with `sortedEntries`. */
export type Tree = ReadonlyMap<string, Node>;

export type NodeKind = "file" | "dir" | "symlink" | "unsupported";

const S_IFMT = 0o170000;
/** The kind the metadata says a node is (POSIX type bits, or Windows attributes). */
export function metadataKind(m: NodeMetadata): NodeKind {
  if (m.type === "posix") {
    switch (m.mode & S_IFMT) {
      case 0o120000:
        return "symlink";
      case 0o040000:
        return "dir";
      case 0o100000:
        return "file";
      default:
        return "unsupported";
    }
  }
  if (m.attributes & 0x400) return "symlink";
  if (m.attributes & 0x10) return "dir";
  return "file";
}

export function modificationTime(m: NodeMetadata): bigint | null {
  return m.type === "posix" ? m.mtime : m.writeTime;
}

export function accessTime(m: NodeMetadata): bigint | null {
  return m.type === "posix" ? m.atime : m.accessTime;
}

/** Entries in the order the format stores them (UTF-8 byte order of names). */
export function sortedEntries(tree: Tree): [string, Node][] {
  return [...tree.entries()].sort((a, b) => compareUtf8(a[0], b[0]));
}

export function encodeTree(tree: Tree): Uint8Array {
  // A node takes about 150 bytes (more with many chunks).
  const w = new CborWriter(64 + tree.size * 160);
  w.map(tree.size);
  for (const [name, node] of sortedEntries(tree)) {
    w.text(name);
    encodeNode(w, node);
  }
  return w.finish();
}

function encodeNode(w: CborWriter, node: Node): void {
  w.indefiniteMap();
  const c = node.contents;
  switch (c.kind) {
    case "file":
      w.text("chunks").array(c.chunks.length);
      for (const id of c.chunks) w.bytes(idToDigest(id));
      break;
    case "dir":
      w.text("tree").bytes(idToDigest(c.tree));
      break;
    case "symlink":
      w.text("symlink").text(c.target);
      break;
  }
  w.text("metadata");
  encodeMetadata(w, node.metadata);
  w.end();
}

function encodeMetadata(w: CborWriter, m: NodeMetadata): void {
  const hasSize = m.size !== undefined;
  if (m.type === "posix") {
    w.map(hasSize ? 7 : 6).text("type").text("posix").text("mode").int(m.mode);
    if (hasSize) w.text("size").int(m.size!);
    w.text("uid").int(m.uid).text("gid").int(m.gid);
    w.text("atime").int(m.atime).text("mtime").int(m.mtime);
    return;
  }
  w.map(hasSize ? 6 : 5).text("type").text("windows").text("attributes").int(m.attributes);
  if (hasSize) w.text("size").int(m.size!);
  for (const [k, v] of [
    ["creation_time", m.creationTime],
    ["access_time", m.accessTime],
    ["write_time", m.writeTime],
  ] as const) {
    w.text(k);
    if (v === null) w.null();
    else w.int(v);
  }
}

/** True for one path component: not empty, ".", or "..", with no "/" or NUL. */
export function isFileName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !name.includes("/") && !name.includes("\0");
}

/** Decodes a tree's CBOR; `what` names it in errors (e.g. "tree <id>"). Unknown fields are ignored. */
export function decodeTree(bytes: Uint8Array, what: string): Tree {
  const c = new CborCursor(bytes, what);
  const out = new Map<string, Node>();
  eachEntry(c, () => {
    const name = c.text();
    // Anything but a file name (from a hostile or damaged repository) could make restore write
    // outside its destination.
    if (!isFileName(name)) c.fail(`entry ${JSON.stringify(name)} isn't a file name (one path component)`);
    if (out.has(name)) c.fail(`entry ${JSON.stringify(name)} appears twice`);
    out.set(name, decodeNode(c, name));
  });
  if (!c.done) c.fail("trailing bytes after the tree");
  return out;
}

/** Calls `entry` for each entry of the map at the cursor, definite or indefinite. */
function eachEntry(c: CborCursor, entry: () => void): void {
  const n = c.map();
  if (n < 0) while (!c.atBreak()) entry();
  else for (let i = 0; i < n; i++) entry();
}

function decodeNode(c: CborCursor, name: string): Node {
  let chunks: BlobId[] | undefined;
  let tree: BlobId | undefined;
  let symlink: string | undefined;
  let metadata: NodeMetadata | undefined;
  eachEntry(c, () => {
    switch (c.key()) {
      case "chunks": {
        const list: BlobId[] = [];
        const n = c.array();
        if (n < 0) while (!c.atBreak()) list.push(c.id<"blob">());
        else for (let i = 0; i < n; i++) list.push(c.id<"blob">());
        chunks = list;
        break;
      }
      case "tree":
        tree = c.id<"blob">();
        break;
      case "symlink":
        symlink = c.text();
        break;
      case "metadata":
        metadata = decodeMetadata(c, name);
        break;
      default:
        c.skip();
    }
  });
  if (!metadata) return c.fail(`entry ${name} has no metadata`);
  // Content keys are tried in the order backpak's untagged enum tries them.
  if (chunks) return { contents: { kind: "file", chunks }, metadata };
  if (tree !== undefined) return { contents: { kind: "dir", tree }, metadata };
  if (symlink !== undefined) return { contents: { kind: "symlink", target: symlink }, metadata };
  return c.fail(`entry ${name} has no chunks, tree or symlink`);
}

function decodeMetadata(c: CborCursor, name: string): NodeMetadata {
  let type: string | undefined;
  // Fields land in locals (decoding runs for every node of every tree a command loads).
  let mode = -1;
  let uid = -1;
  let gid = -1;
  let attributes = -1;
  let size: number | undefined;
  let atime: bigint | null | undefined;
  let mtime: bigint | null | undefined;
  let creation: bigint | null = null;
  const time = (): bigint | null => (c.nextIsNull() ? null : c.bigint());
  eachEntry(c, () => {
    switch (c.key()) {
      case "type":
        type = c.text();
        break;
      case "mode":
        mode = c.uint();
        break;
      case "uid":
        uid = c.uint();
        break;
      case "gid":
        gid = c.uint();
        break;
      case "attributes":
        attributes = c.uint();
        break;
      case "size":
        size = c.uint();
        break;
      case "atime":
      case "access_time":
        atime = time();
        break;
      case "mtime":
      case "write_time":
        mtime = time();
        break;
      case "creation_time":
        creation = time();
        break;
      default:
        c.skip();
    }
  });
  const u32 = (v: number, k: string): number => (v >= 0 && v <= 0xffffffff ? v : c.fail(`entry ${name}: ${k} is missing or not a u32`));
  if (type === "posix") {
    if (atime == null || mtime == null) return c.fail(`entry ${name}: atime or mtime is missing`);
    const m = u32(mode, "mode");
    const u = u32(uid, "uid");
    const g = u32(gid, "gid");
    return size === undefined ? { type: "posix", mode: m, uid: u, gid: g, atime, mtime } : { type: "posix", mode: m, size, uid: u, gid: g, atime, mtime };
  }
  if (type === "windows") {
    const base = { type: "windows" as const, attributes: u32(attributes, "attributes"), creationTime: creation, accessTime: atime ?? null, writeTime: mtime ?? null };
    return size === undefined ? base : { ...base, size };
  }
  return c.fail(`entry ${name}: unknown metadata type ${JSON.stringify(type)}`);
}

export function metadataEqual(a: NodeMetadata, b: NodeMetadata): boolean {
  if (a.type === "posix" && b.type === "posix") {
    return (
      a.mode === b.mode &&
      a.size === b.size &&
      a.uid === b.uid &&
      a.gid === b.gid &&
      a.atime === b.atime &&
      a.mtime === b.mtime
    );
  }
  if (a.type === "windows" && b.type === "windows") {
    return (
      a.attributes === b.attributes &&
      a.size === b.size &&
      a.creationTime === b.creationTime &&
      a.accessTime === b.accessTime &&
      a.writeTime === b.writeTime
    );
  }
  return false;
}

export function contentsEqual(a: NodeContents, b: NodeContents): boolean {
  if (a.kind === "file" && b.kind === "file") {
    return a.chunks.length === b.chunks.length && a.chunks.every((c, i) => c === b.chunks[i]);
  }
  if (a.kind === "dir" && b.kind === "dir") return a.tree === b.tree;
  if (a.kind === "symlink" && b.kind === "symlink") return a.target === b.target;
  return false;
}

/** The ID of the empty tree (CBOR `a0`): never packed by backup, so readers synthesize it. */
export const EMPTY_TREE_ID = "731btatro1tsc4b9erd6p9dm5n1l1r2tjqp4nk3885aku" as BlobId;
