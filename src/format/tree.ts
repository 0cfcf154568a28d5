/**
 * Trees: one directory as a CBOR map { name → node } in UTF-8 byte order. A node is an
 * indefinite-length map of a content key ("chunks" | "tree" | "symlink") then "metadata"
 * (POSIX or Windows). The empty tree is `a0`. Tree ID = SHA-224 of these bytes.
 */
import { BackpakError } from "../lib/errors.ts";
import { compareUtf8 } from "../lib/order.ts";
import { CborWriter, decodeCbor, type CborMap, type CborValue } from "./cbor.ts";
import { idFromDigest, idToDigest, type BlobId } from "./id.ts";

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
  const w = new CborWriter();
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

/** Decodes a tree's CBOR; `what` names it in errors (e.g. "tree <id>"). */
export function decodeTree(bytes: Uint8Array, what: string): Tree {
  const v = decodeCbor(bytes, what);
  const bad = (msg: string): never => {
    throw new BackpakError("corrupt", `${what} is malformed: ${msg}`);
  };
  if (!(v instanceof Map)) return bad("not a map");
  const out = new Map<string, Node>();
  for (const [name, nv] of v) {
    if (typeof name !== "string") return bad("an entry name is not text");
    if (!(nv instanceof Map)) return bad(`entry ${name} is not a map`);
    out.set(name, decodeNode(nv, (m) => bad(`entry ${name}: ${m}`)));
  }
  return out;
}

function decodeNode(m: CborMap, bad: (msg: string) => never): Node {
  const metadata = m.get("metadata");
  if (!(metadata instanceof Map)) return bad("no metadata map");
  // Content keys are tried in the order backpak's untagged enum tries them.
  const chunks = m.get("chunks");
  const tree = m.get("tree");
  const symlink = m.get("symlink");
  let contents: NodeContents;
  if (chunks !== undefined) {
    if (!Array.isArray(chunks)) return bad("chunks is not an array");
    contents = { kind: "file", chunks: chunks.map((c) => blobIdOf(c, bad)) };
  } else if (tree !== undefined) {
    contents = { kind: "dir", tree: blobIdOf(tree, bad) };
  } else if (symlink !== undefined) {
    if (typeof symlink !== "string") return bad("symlink target is not text");
    contents = { kind: "symlink", target: symlink };
  } else {
    return bad("no chunks, tree or symlink");
  }
  return { contents, metadata: decodeMetadata(metadata, bad) };
}

function blobIdOf(v: CborValue, bad: (msg: string) => never): BlobId {
  if (!(v instanceof Uint8Array) || v.length !== 28) return bad("an ID is not a 28-byte string");
  return idFromDigest<"blob">(v);
}

function decodeMetadata(m: CborMap, bad: (msg: string) => never): NodeMetadata {
  const u32 = (k: string): number => {
    const v = m.get(k);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) return bad(`${k} is not a u32`);
    return v;
  };
  const optSize = (): { size?: number } => {
    const v = m.get("size");
    if (v === undefined || v === null) return {};
    if (typeof v !== "number" || v < 0) return bad("size is not a u64 we can handle");
    return { size: v };
  };
  const time = (k: string, nullable: boolean): bigint | null => {
    const v = m.get(k);
    if (nullable && (v === null || v === undefined)) return null;
    if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
    if (typeof v === "bigint") return v;
    return bad(`${k} is not a timestamp`);
  };
  const type = m.get("type");
  if (type === "posix") {
    return {
      type: "posix",
      mode: u32("mode"),
      ...optSize(),
      uid: u32("uid"),
      gid: u32("gid"),
      atime: time("atime", false)!,
      mtime: time("mtime", false)!,
    };
  }
  if (type === "windows") {
    return {
      type: "windows",
      attributes: u32("attributes"),
      ...optSize(),
      creationTime: time("creation_time", true),
      accessTime: time("access_time", true),
      writeTime: time("write_time", true),
    };
  }
  return bad(`unknown metadata type ${JSON.stringify(type)}`);
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
