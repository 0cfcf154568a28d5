/**
 * What a backup walk leaves out, decided entry by entry: gitignore-style patterns (from the command
 * line, exclude files and the config, matched as restic does, then those of each `.backpakignore`
 * on the way down, which apply to their directory and below and win over the ones above, the last
 * matching line deciding), and directories holding a marker file (`--exclude-if-present`, or a
 * valid CACHEDIR.TAG). Everything here is plain data a worker can receive, compiled once per walk.
 */
import fs from "node:fs";
import { ignoreRule, mergeRules, type IgnoreRule } from "../format/gitignore.ts";
import { BackpakError } from "../lib/errors.ts";
import { reach } from "./long-path.ts";

/** The name of the per-directory ignore files. */
export const IGNORE_FILE = ".backpakignore";
/** The start of every valid CACHEDIR.TAG (https://bford.info/cachedir/). */
const CACHEDIR_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55";

/** One pattern given for the whole walk, with where it came from (named in errors). */
export interface ExcludePattern {
  readonly pattern: string;
  readonly ignoreCase: boolean;
  readonly source: string;
}

export interface ExcludeSpec {
  readonly patterns: readonly ExcludePattern[];
  /** Leave out a directory that has an entry of one of these names. */
  readonly ifPresent: readonly string[];
  /** Leave out a directory with a CACHEDIR.TAG that starts with the signature. */
  readonly caches: boolean;
  /** Don't descend into directories on another filesystem than their top-level path's. */
  readonly oneFileSystem: boolean;
}

export const NO_EXCLUDES: ExcludeSpec = { patterns: [], ifPresent: [], caches: false, oneFileSystem: false };

/** The rules in force in one directory, lowest precedence first. */
export type DirRules = readonly IgnoreRule[];

/** A malformed pattern's error, saying where the pattern came from. */
function located(err: unknown, where: string): BackpakError {
  const hint = err instanceof BackpakError ? err.hint : undefined;
  return new BackpakError("usage", `${err instanceof Error ? err.message : String(err)} (${where})`, hint === undefined ? {} : { hint });
}

/**
 * Compiles command-line patterns one rule each (matched as restic matches them), keeping each
 * pattern beside its rule; blank ones and comments give none. Throws a usage error naming a
 * malformed one and its source.
 */
export function compilePatterns(patterns: readonly ExcludePattern[]): [ExcludePattern, IgnoreRule][] {
  const out: [ExcludePattern, IgnoreRule][] = [];
  for (const p of patterns) {
    try {
      const rule = ignoreRule(p.pattern, { dir: "/", suffixes: true, ignoreCase: p.ignoreCase });
      if (rule) out.push([p, rule]);
    } catch (err) {
      throw located(err, `from ${p.source}`);
    }
  }
  return out;
}

/** Compiles the patterns of the whole walk; throws a usage error naming a malformed one and its source. */
export function compileExcludes(spec: Pick<ExcludeSpec, "patterns">): DirRules {
  return mergeRules(compilePatterns(spec.patterns).map(([, rule]) => rule));
}

/** Compiles the lines of an ignore file whose patterns are anchored at `dir`; errors name the file and line. */
function compileIgnoreFile(text: string, dir: string, file: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  for (const [i, line] of lines.entries()) {
    try {
      const rule = ignoreRule(line, { dir, suffixes: false, ignoreCase: false });
      if (rule) rules.push(rule);
    } catch (err) {
      throw located(err, `${file}, line ${i + 1}`);
    }
  }
  return mergeRules(rules);
}

/** True when the last rule that matches the entry excludes it. */
export function isExcluded(rules: DirRules, path: string, name: string, isDir: boolean): boolean {
  const i = lastMatch(rules, path, name, isDir);
  return i >= 0 && !rules[i]!.negate;
}

/** The index of the last rule that matches the entry, or -1: the last match decides, so a later `!pattern` takes back an earlier one. */
export function lastMatch(rules: DirRules, path: string, name: string, isDir: boolean): number {
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.dirOnly && !isDir) continue;
    if (r.re.test(r.onName ? name : path)) return i;
  }
  return -1;
}

function isCacheDir(dir: string): boolean {
  const head = Buffer.alloc(CACHEDIR_SIGNATURE.length);
  let n: number;
  try {
    const fd = fs.openSync(reach(`${dir}/CACHEDIR.TAG`), "r");
    try {
      n = fs.readSync(fd, head, 0, head.length, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false; // not a file we can read (a directory or a dangling link, say): not a valid tag
  }
  return n === head.length && head.toString("latin1") === CACHEDIR_SIGNATURE;
}

/** Decides, directory by directory, what a walk leaves out. */
export class Excluder {
  readonly top: DirRules;
  readonly oneFileSystem: boolean;
  readonly #ifPresent: ReadonlySet<string>;
  readonly #caches: boolean;

  constructor(spec: ExcludeSpec) {
    this.top = compileExcludes(spec);
    this.oneFileSystem = spec.oneFileSystem;
    this.#caches = spec.caches;
    this.#ifPresent = new Set(spec.ifPresent);
  }

  /**
   * For a directory about to be entered, given its entries' names: undefined when a marker file
   * says to leave it out, else the rules for its entries (with its `.backpakignore` added).
   */
  enter(rules: DirRules, dir: string, names: readonly string[]): DirRules | undefined {
    let ignoreFile = false;
    for (const name of names) {
      if (name === IGNORE_FILE) ignoreFile = true;
      if (this.#ifPresent.has(name)) return undefined;
      if (this.#caches && name === "CACHEDIR.TAG" && isCacheDir(dir)) return undefined;
    }
    if (!ignoreFile) return rules;
    const file = `${dir}/${IGNORE_FILE}`;
    let text: string;
    try {
      text = fs.readFileSync(reach(file), "utf8");
    } catch (err) {
      throw new BackpakError("io", `Couldn't read ${file}`, { cause: err, hint: `make it readable, or add ${IGNORE_FILE} to --exclude` });
    }
    const own = compileIgnoreFile(text, dir, file);
    return own.length === 0 ? rules : [...rules, ...own];
  }
}
