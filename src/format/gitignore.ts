/**
 * One line of gitignore syntax compiled into a rule: blank lines and `#` comments give none;
 * trailing spaces are dropped unless escaped (`\ `); a leading `!` negates (`\!` and `\#` are the
 * literal characters); a trailing `/` matches directories only; a pattern with a slash at its start
 * or in its middle is anchored to its scope's directory, one without matches a name at any depth.
 */
import { globToRegex } from "./glob-regex.ts";

/** What a compiled line matches. A rule with `onName` is tested against an entry's name, any other against its absolute path. */
export interface IgnoreRule {
  readonly re: RegExp;
  readonly negate: boolean;
  readonly dirOnly: boolean;
  readonly onName: boolean;
  /**
   * For a rule anchored at a directory: one regex per path component it matches, from the root
   * (undefined for a `**` component), so a walk can tell whether anything beneath a directory could
   * match (`mayMatchBeneath`). Absent when the rule can match at any depth.
   */
  readonly steps?: readonly (RegExp | undefined)[];
}

/**
 * Where a line's patterns apply: `dir` is the absolute directory anchored patterns start at (the
 * directory of a `.backpakignore`, `/` for command-line patterns). With `suffixes`, only a leading
 * slash anchors: a pattern such as `foo/bar` matches `/any/where/foo/bar`, as restic matches them.
 */
export interface IgnoreScope {
  readonly dir: string;
  readonly suffixes: boolean;
  readonly ignoreCase: boolean;
}

/** Drops trailing spaces that no backslash escapes (git's rule; tabs stay). */
function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === " ") {
    let slashes = 0;
    while (end - 2 - slashes >= 0 && line[end - 2 - slashes] === "\\") slashes++;
    if (slashes % 2 === 1) break; // the last space is escaped, and so kept
    end--;
  }
  return line.slice(0, end);
}

const escapeDir = (dir: string): string => dir.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/** Compiles one line; undefined for a blank line or a comment. Throws a usage error naming a malformed glob. */
export function ignoreRule(line: string, scope: IgnoreScope): IgnoreRule | undefined {
  let text = trimTrailingSpaces(line.endsWith("\r") ? line.slice(0, -1) : line);
  if (text === "" || text.startsWith("#")) return undefined;
  const negate = text.startsWith("!");
  if (negate) text = text.slice(1);
  const dirOnly = text.endsWith("/") && !text.endsWith("\\/");
  if (dirOnly) text = text.slice(0, -1);
  if (text === "" || text === "/") return undefined;
  const slash = text.indexOf("/");
  const flags = scope.ignoreCase ? "iu" : "u";
  if (slash < 0) return { re: new RegExp(`^${globToRegex(text)}$`, flags), negate, dirOnly, onName: true };
  const leading = slash === 0;
  const glob = leading ? text.slice(1) : text;
  const body = globToRegex(glob);
  const base = scope.dir === "/" ? "" : escapeDir(scope.dir);
  const start = leading || !scope.suffixes ? `^${base}/` : "^(?:.*/)?";
  const rule = { re: new RegExp(`${start}${body}$`, flags), negate, dirOnly, onName: false };
  if (!leading && scope.suffixes) return rule;
  const steps = anchoredSteps(scope.dir, glob, flags);
  return steps ? { ...rule, steps } : rule;
}

/**
 * The components an anchored pattern matches, one regex each (undefined for `**`), its scope's
 * directory first; undefined when the glob doesn't split cleanly at its slashes (an escaped `/` or
 * a class holding one), so callers assume it may match anywhere.
 */
function anchoredSteps(dir: string, glob: string, flags: string): (RegExp | undefined)[] | undefined {
  const steps: (RegExp | undefined)[] = dir
    .split("/")
    .filter((c) => c !== "")
    .map((c) => new RegExp(`^${escapeDir(c)}$`, flags));
  for (const part of glob.split("/")) {
    if (part === "**") steps.push(undefined);
    else {
      try {
        steps.push(new RegExp(`^${globToRegex(part)}$`, flags));
      } catch {
        return undefined;
      }
    }
  }
  return steps;
}

/**
 * False only when `rule` can match nothing strictly beneath the absolute directory `dir`: a walk may
 * then leave the directory unread. Rules that match names, or suffixes of paths, may match anywhere.
 */
export function mayMatchBeneath(rule: IgnoreRule, dir: string): boolean {
  const steps = rule.steps;
  if (steps === undefined) return true;
  const parts = dir.split("/").filter((c) => c !== "");
  for (const [i, part] of parts.entries()) {
    if (i >= steps.length) return false;
    const step = steps[i];
    if (step === undefined) return true;
    if (!step.test(part)) return false;
  }
  return parts.length < steps.length;
}

/**
 * The same rules as fewer regular expressions, for the walk's hot path: under last-match-wins,
 * a run of consecutive rules that all exclude (or all re-include) decides the same whichever of
 * them matches, so within a run the rules that are tested alike (on names or paths, for
 * directories only or not, with the same case rule) become one alternation.
 */
export function mergeRules(rules: readonly IgnoreRule[]): IgnoreRule[] {
  const out: IgnoreRule[] = [];
  let i = 0;
  while (i < rules.length) {
    const negate = rules[i]!.negate;
    const groups = new Map<string, IgnoreRule[]>();
    for (; i < rules.length && rules[i]!.negate === negate; i++) {
      const r = rules[i]!;
      const key = `${r.dirOnly} ${r.onName} ${r.re.flags}`;
      const group = groups.get(key);
      if (group) group.push(r);
      else groups.set(key, [r]);
    }
    for (const group of groups.values()) {
      const { dirOnly, onName, re } = group[0]!;
      out.push(group.length === 1 ? group[0]! : { negate, dirOnly, onName, re: new RegExp(group.map((r) => `(?:${r.re.source})`).join("|"), re.flags) });
    }
  }
  return out;
}
