/**
 * The one filesystem walker: backup's pre-flight scan (on a worker) and diff's and restore's scan
 * of the disk (`walk.ts` `scanFs`) both walk with it. Depth first on an explicit stack (depth costs
 * heap, not call stack), each directory's entries in the order of their UTF-8 bytes. It is a
 * cursor: `next()` returns what the next step is and leaves the entry's fields on the walker, so
 * a step allocates nothing beyond its path, stat and name. What it leaves out: paths `skip`
 * accepts, and with an `Excluder` what that excludes (with --one-file-system a directory on another
 * filesystem than its top-level path is entered and left at once, empty). What it can't read or
 * can't name (stat, listing, symlink target, a name or target that isn't UTF-8, or with `access`
 * a file that can't be opened for reading) is an `Unreadable` step saying what failed and why, and
 * the walk goes on; what is neither file, directory nor symlink is a `Special` step.
 */
import fs from "node:fs";
import { decodeUtf8Strict } from "../lib/bytes.ts";
import { type DirRules, type Excluder, isExcluded } from "./excludes.ts";
import { reach } from "./long-path.ts";
import { statRaw } from "./metadata.ts";
import type { RawStat } from "./statx.ts";

/** What `Walker.next` found. */
export const Step = { End: 0, Enter: 1, Exit: 2, File: 3, Symlink: 4, Special: 5, Unreadable: 6 } as const;
export type Step = (typeof Step)[keyof typeof Step];

/** What failed for an `Unreadable` step. */
export const Problem = { Stat: 1, List: 2, Name: 3, Link: 4, Target: 5, Access: 6 } as const;
export type Problem = (typeof Problem)[keyof typeof Problem];

export interface WalkerOptions {
  /** Follow symlinks (-L) instead of recording them. */
  readonly dereference: boolean;
  /** True to leave a path (and everything under it) out. */
  readonly skip?: ((path: string) => boolean) | undefined;
  /** What backup leaves out (its patterns, `.backpakignore` files, marker files, --one-file-system). */
  readonly excluder?: Excluder | undefined;
  /** Prove each file readable (access R_OK), making one that isn't an `Unreadable` step. */
  readonly access?: boolean | undefined;
}

/** One directory being walked (the bottom level holds the top-level paths). */
interface Level {
  /** The directory's path; undefined for the top-level paths. */
  readonly dir: string | undefined;
  /** Its entries' names as listed (sorted by bytes); undefined for the top-level paths. */
  readonly names: Buffer[] | undefined;
  /** The names as text (the top-level paths themselves), undefined where a name isn't UTF-8. */
  readonly texts: readonly (string | undefined)[];
  next: number;
  /** The exclusion rules in force for its entries. */
  readonly rules: DirRules;
  /** The device of the walk's top-level directory. */
  readonly dev: number;
}

const S_IFMT = 0o170000;
const NO_RULES: DirRules = [];

/** Why an entry can't be read, in a few words: "permission denied", "vanished" or the system's message. */
function unreadableWhy(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT" || code === "ENOTDIR") return "vanished";
  return err instanceof Error ? err.message : String(err);
}

/** A cursor over the entries under `paths` (their last components become the top-level names). */
export class Walker {
  /** The entry's path ("dir/" for a directory that can't be listed; "dir/" and the name as JSON of its latin1 reading for a name that isn't UTF-8). */
  path = "";
  /** The entry's name in its tree (a top-level path's last component). */
  name = "";
  /** The entry's name as listed; undefined for a top-level path. */
  rawName: Buffer | undefined;
  /** Whether the entry is one of the top-level paths. */
  top = false;
  /** The entry's stat (not for `Exit`, nor for an `Unreadable` step before its stat). */
  stat: RawStat | undefined;
  /** A symlink's target, as read and as text. */
  target: Buffer | undefined;
  targetText = "";
  /** For an `Unreadable` step: what failed, why in a few words, and the error (if there was one). */
  problem: Problem | undefined;
  why = "";
  cause: unknown;

  readonly #stack: Level[];
  readonly #opts: WalkerOptions;

  constructor(paths: readonly string[], opts: WalkerOptions) {
    this.#opts = opts;
    this.#stack = [{ dir: undefined, names: undefined, texts: paths, next: 0, rules: opts.excluder?.top ?? NO_RULES, dev: 0 }];
  }

  /** The directory whose entries are being walked (undefined among the top-level paths). */
  get parent(): string | undefined {
    return this.#stack[this.#stack.length - 1]?.dir;
  }

  /** Moves to the next step of the walk; the entry's fields are valid until the next call. */
  next(): Step {
    const stack = this.#stack;
    for (;;) {
      const level = stack[stack.length - 1];
      if (level === undefined) return Step.End;
      if (level.next === level.texts.length) {
        stack.pop();
        if (level.dir === undefined) continue;
        this.stat = undefined;
        return Step.Exit;
      }
      const i = level.next++;
      const step = this.#visit(level, i);
      if (step !== Step.End) return step;
    }
  }

  /** The step of the entry `i` of `level`, or `End` when it is left out. */
  #visit(level: Level, i: number): Step {
    const opts = this.#opts;
    const text = level.texts[i];
    const dir = level.dir;
    this.top = dir === undefined;
    this.rawName = level.names?.[i];
    this.stat = undefined;
    if (text === undefined) {
      const raw = this.rawName!;
      return this.#unreadable(`${dir}/${JSON.stringify(raw.toString("latin1"))}`, Problem.Name, `non-UTF-8 name (bytes ${raw.toString("hex")})`, undefined);
    }
    const path = dir === undefined ? text : dir.endsWith("/") ? dir + text : `${dir}/${text}`;
    this.path = path;
    this.name = dir === undefined ? text.slice(text.lastIndexOf("/") + 1) : text;
    if (opts.skip?.(path)) return Step.End;
    const st = this.#statOf(path, opts.dereference);
    if (st === undefined) {
      const cause = this.cause;
      const dangling = opts.dereference && this.#statOf(path, false) !== undefined;
      return this.#unreadable(path, Problem.Stat, dangling ? "dangling symlink, with --dereference" : unreadableWhy(cause), cause);
    }
    this.stat = st;
    const type = st.mode & S_IFMT;
    if (level.rules.length > 0 && isExcluded(level.rules, path, this.name, type === 0o040000)) return Step.End;
    switch (type) {
      case 0o040000:
        return this.#enter(level, path, st);
      case 0o120000: {
        let target: Buffer;
        try {
          target = fs.readlinkSync(reach(path), { encoding: "buffer" });
        } catch (err) {
          return this.#unreadable(path, Problem.Link, unreadableWhy(err), err);
        }
        const targetText = decodeUtf8Strict(target);
        if (targetText === undefined) return this.#unreadable(path, Problem.Target, `non-UTF-8 symlink target (bytes ${target.toString("hex")})`, undefined);
        this.target = target;
        this.targetText = targetText;
        return Step.Symlink;
      }
      case 0o100000:
        if (opts.access) {
          try {
            fs.accessSync(reach(path), fs.constants.R_OK);
          } catch (err) {
            return this.#unreadable(path, Problem.Access, unreadableWhy(err), err);
          }
        }
        return Step.File;
      default:
        return Step.Special;
    }
  }

  /** Lists the directory at `path` and pushes its level; `End` when a marker file leaves it out. */
  #enter(level: Level, path: string, st: RawStat): Step {
    const excluder = this.#opts.excluder;
    const dev = level.dir === undefined ? st.dev : level.dev;
    if (excluder?.oneFileSystem && level.dir !== undefined && st.dev !== level.dev) {
      this.#stack.push({ dir: path, names: [], texts: [], next: 0, rules: NO_RULES, dev });
      return Step.Enter;
    }
    let names: Buffer[];
    try {
      names = fs.readdirSync(reach(path), { encoding: "buffer" });
    } catch (err) {
      return this.#unreadable(`${path}/`, Problem.List, unreadableWhy(err), err);
    }
    names.sort(Buffer.compare);
    // A name that isn't UTF-8 is reported only once the directory is known not to be left out.
    const texts = names.map(decodeUtf8Strict);
    let rules = level.rules;
    if (excluder) {
      const inner = excluder.enter(rules, path, texts.filter((t) => t !== undefined));
      if (inner === undefined) return Step.End;
      rules = inner;
    }
    this.#stack.push({ dir: path, names, texts, next: 0, rules, dev });
    return Step.Enter;
  }

  #unreadable(path: string, problem: Problem, why: string, cause: unknown): Step {
    this.path = path;
    this.problem = problem;
    this.why = why;
    this.cause = cause;
    return Step.Unreadable;
  }

  /** Stats `path`; undefined (with the error in `cause`) when it can't. */
  #statOf(path: string, follow: boolean): RawStat | undefined {
    const at = reach(path);
    try {
      return statRaw(at, follow);
    } catch (err) {
      this.cause = err;
      return undefined;
    }
  }
}
