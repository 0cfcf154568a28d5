/**
 * The part of a snapshot a partial restore brings back: the subtree `SNAPSHOT:PATH` names, and of
 * it what `--include`/`--exclude` select (fs/restore-filter.ts), as a snapshot of its own: its
 * paths, a root tree and a source of the trees beneath it, where a directory that lost entries is
 * a new tree (held by the view) and one that lost none keeps its ID (read from the snapshot's
 * source, so what is selected whole is never held). Trees are read one branch at a time through
 * the tree cache, and a directory where nothing can be selected is never read. Also says which
 * paths on disk a scan of the destination can leave out.
 */
import path from "node:path";
import type { BlobId } from "../format/id.ts";
import { encodeTree, type Node, type Tree } from "../format/tree.ts";
import type { RestoreFilter, Within } from "../fs/restore-filter.ts";
import { hashId } from "../kernels/sha224.ts";
import { BackpakError } from "../lib/errors.ts";
import type { StoredSnapshot, TreeSource } from "../repo/index.ts";
import { overlay } from "./tree-overlay.ts";

export interface RestoreSelection {
  /** Restore only this path inside the snapshot: relative, starting with a top-level name (as `ls` shows), or absolute (as backed up). */
  readonly subPath?: string;
  readonly filter?: RestoreFilter;
}

/** What a selection asks for and the snapshot doesn't hold: a path that isn't in it, an include that matches nothing. */
export class SelectionError extends BackpakError {
  constructor(message: string, hint: string) {
    super("usage", message, { hint });
  }
}

/** The selected part of a snapshot, shaped like a snapshot: its paths, and a top-level entry named after each that holds something selected. */
export interface SnapshotView {
  readonly paths: readonly string[];
  readonly root: BlobId;
  /** The root tree and every tree beneath it. */
  readonly trees: TreeSource;
}


type Top = readonly [name: string, abs: string, node: Node];

const treeId = (tree: Tree): BlobId => hashId<"blob">(encodeTree(tree));

/** The selected part of `stored`; throws a SelectionError for a path it doesn't hold or an include that selects nothing. */
export async function selectView(stored: StoredSnapshot, trees: TreeSource, selection: RestoreSelection): Promise<SnapshotView> {
  const root = await trees.tree(stored.snapshot.tree);
  const original = new Map(stored.snapshot.paths.map((p) => [path.basename(p), p]));
  const tops: Top[] =
    selection.subPath === undefined
      ? [...root].map(([name, node]) => [name, original.get(name)!, node] as const)
      : [await subtree(stored, original, root, trees, selection.subPath)];
  const made = new Map<BlobId, Tree>();
  const top = new Map<string, Node>();
  for (const [name, abs, node] of tops) {
    const kept = await selectNode(name, abs, node, selection.filter, trees, made);
    if (kept) top.set(name, kept);
  }
  const unmatched = selection.filter?.unmatched() ?? [];
  if (unmatched.length > 0) {
    const where = selection.subPath === undefined ? `snapshot ${stored.id}` : `${selection.subPath} in snapshot ${stored.id}`;
    throw new SelectionError(
      unmatched.map((p) => `${p.source} ${JSON.stringify(p.pattern)} matches nothing in ${where}`).join("\n"),
      "patterns match the absolute paths that were backed up (`/home/me/src/*.c`), or a name at any depth (`*.c`); `backpak ls` lists a snapshot's paths",
    );
  }
  const id = treeId(top);
  made.set(id, top);
  // All the snapshot's paths stay, so where --output puts each doesn't depend on what is selected.
  return { paths: selection.subPath === undefined ? stored.snapshot.paths : [tops[0]![1]], root: id, trees: overlay(made, trees) };
}

/** The node `sub` names in the snapshot, with its name and the absolute path it was backed up from. */
async function subtree(stored: StoredSnapshot, original: ReadonlyMap<string, string>, root: Tree, trees: TreeSource, sub: string): Promise<Top> {
  const missing = (why: string): never => {
    throw new SelectionError(`${JSON.stringify(sub)} ${why} snapshot ${stored.id}`, `\`backpak ls ${stored.id}\` lists its paths`);
  };
  let parts: string[];
  if (sub.startsWith("/")) {
    // The longest backed-up path it lies in (one may lie inside another).
    const outer = [...original.values()].filter((p) => sub === p || sub.startsWith(`${p}/`)).sort((a, b) => b.length - a.length)[0];
    if (outer === undefined) return missing("lies under none of the paths of");
    parts = [path.basename(outer), ...sub.slice(outer.length).split("/")];
  } else parts = sub.split("/");
  parts = parts.filter((c) => c !== "" && c !== ".");
  if (parts.length === 0 || parts.includes("..")) {
    throw new SelectionError(`${JSON.stringify(sub)} is not a path inside a snapshot`, "give one as `backpak ls` shows it (`src/lib`), or as it was backed up (`/home/me/src/lib`), without `..`");
  }
  let node = root.get(parts[0]!);
  for (const part of parts.slice(1)) {
    if (node?.contents.kind !== "dir") return missing("is not in");
    node = (await trees.tree(node.contents.tree)).get(part);
  }
  if (!node) return missing("is not in");
  const name = parts[parts.length - 1]!;
  return [name, path.posix.join(original.get(parts[0]!)!, ...parts.slice(1)), node];
}

/** A directory being selected from: its entries, where they lie, and those kept so far. */
interface Frame {
  readonly name: string;
  readonly node: Node & { readonly contents: { readonly kind: "dir"; readonly tree: BlobId } };
  readonly tree: Tree;
  readonly names: readonly string[];
  next: number;
  readonly selected: boolean;
  readonly within: Within;
  readonly kept: Map<string, Node>;
  /** Every entry kept unchanged so far, so the directory keeps its tree. */
  whole: boolean;
}

/**
 * The names of the directories on a walk's branch, the first being the absolute path it starts
 * from, and the path of the deepest one only: a branch 20,000 deep holds one long path, not 20,000
 * ever-longer ones. Without patterns that match paths, no path is made at all ("").
 */
class BranchPath {
  readonly #names: string[] = [];
  #deepest: string | undefined;
  constructor(readonly enabled: boolean) {}

  /** The path of `name` in the deepest directory (or the start's own path, when the branch is empty). */
  of(name: string): string {
    if (!this.enabled) return "";
    if (this.#names.length === 0) return name;
    this.#deepest ??= this.#names.join("/");
    return `${this.#deepest}/${name}`;
  }

  /** Enters the directory `name`, whose path `of` just gave. */
  push(name: string, path: string): void {
    this.#names.push(name);
    this.#deepest = this.enabled ? path : undefined;
  }

  pop(): void {
    this.#names.pop();
    this.#deepest = undefined;
  }
}

/**
 * The part of `node` (backed up from `abs`) that `filter` selects, or undefined when nothing is;
 * depth first on an explicit stack, a tree that contains itself reported. The trees it makes for
 * directories that lost entries go into `made`.
 */
async function selectNode(name: string, abs: string, node: Node, filter: RestoreFilter | undefined, trees: TreeSource, made: Map<BlobId, Tree>): Promise<Node | undefined> {
  const stack: Frame[] = [];
  const onBranch = new Set<BlobId>();
  const branch = new BranchPath(filter?.needsPaths ?? false);
  /** Decides an entry; a directory that may hold something selected gets a frame, and undefined is returned until it is done. */
  const visit = async (name: string, abs: string, node: Node, within: Within): Promise<Node | undefined> => {
    const c = node.contents;
    const d = filter ? filter.entry(within, abs, name, c.kind === "dir") : ({ selected: true, within: "in" } as const);
    if (c.kind !== "dir") return d.selected ? node : undefined;
    if (!d.selected && d.within === "none") return undefined;
    if (onBranch.has(c.tree)) throw new BackpakError("corrupt", `Cycle detected! Tree ${c.tree} contains itself`, { hint: "run `backpak check` to find the snapshots that use it" });
    const tree = await trees.tree(c.tree);
    onBranch.add(c.tree);
    stack.push({ name, node: node as Frame["node"], tree, names: [...tree.keys()], next: 0, selected: d.selected, within: d.within, kept: new Map(), whole: true });
    branch.push(stack.length === 1 ? abs : name, abs);
    return undefined;
  };
  /** What a finished directory comes to. */
  const close = (f: Frame): Node | undefined => {
    onBranch.delete(f.node.contents.tree);
    if (!f.selected && f.kept.size === 0) return undefined;
    if (f.whole) return f.node;
    const id = treeId(f.kept);
    made.set(id, f.kept);
    return { contents: { kind: "dir", tree: id }, metadata: f.node.metadata };
  };
  const first = await visit(name, branch.of(abs), node, filter?.withinAbove(abs) ?? "in");
  if (stack.length === 0) return first;
  for (;;) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.names.length) {
      stack.pop();
      branch.pop();
      const result = close(top);
      const parent = stack[stack.length - 1];
      if (!parent) return result;
      if (result) parent.kept.set(top.name, result);
      if (result !== top.node) parent.whole = false;
      continue;
    }
    const childName = top.names[top.next++]!;
    const child = top.tree.get(childName)!;
    const depth = stack.length;
    const kept = await visit(childName, branch.of(childName), child, top.within);
    if (stack.length > depth) continue;
    if (kept) top.kept.set(childName, kept);
    else top.whole = false;
  }
}

/**
 * For a scan of the destination: true for a path on disk where nothing selected can be, so the
 * scan leaves it (and everything beneath it) out. `roots` maps each top-level path on disk to the
 * absolute path it was backed up from. The scan must call it depth first, parents before children.
 */
export function scanSkip(filter: RestoreFilter, roots: ReadonlyMap<string, string>): (p: string) => boolean {
  /** The directories on the current branch: where on disk, and where their entries lie. */
  const dirs: { readonly disk: string; readonly within: Within }[] = [];
  const branch = new BranchPath(filter.needsPaths);
  return (p) => {
    const dir = path.dirname(p);
    while (dirs.length > 0 && dirs[dirs.length - 1]!.disk !== dir) {
      dirs.pop();
      branch.pop();
    }
    const parent = dirs[dirs.length - 1];
    const from = parent ? undefined : roots.get(p);
    if (!parent && from === undefined) return false;
    const name = from ?? path.basename(p);
    const abs = branch.of(name);
    const d = filter.mayHold(parent ? parent.within : filter.withinAbove(from!), abs, path.basename(p));
    dirs.push({ disk: p, within: d.within });
    branch.push(name, abs);
    return !d.keep;
  };
}
