/**
 * What a partial restore selects, entry by entry, from `--include`/`--exclude` patterns (the
 * gitignore syntax of backup's excludes, matched against the absolute paths the snapshot was taken
 * of). An included directory brings everything beneath it; with includes given, the rest is left
 * out except the directories on the way to something included. Excludes win: an excluded entry is
 * left out even if an include matches it, and nothing beneath an excluded directory comes back.
 * Among the includes, as among the excludes, the last matching pattern decides, so `!pattern`
 * takes back part of what an earlier one brought.
 */
import { mayMatchBeneath, type IgnoreRule } from "../format/gitignore.ts";
import { compileExcludes, compilePatterns, isExcluded, lastMatch, type DirRules, type ExcludePattern } from "./excludes.ts";

/**
 * Where an entry lies, as its parent directory passes it on: `in` an included directory (or no
 * includes were given), `out` of every included one (but an include may still match beneath),
 * or where nothing can be selected (`none`: an excluded directory, or no include can match there).
 */
export type Within = "in" | "out" | "none";

export interface Decision {
  /** The entry itself is restored (a directory: with everything beneath it that isn't excluded). */
  readonly selected: boolean;
  /** For a directory, where its entries lie. */
  readonly within: Within;
}

const NOTHING: Decision = { selected: false, within: "none" };

export class RestoreFilter {
  readonly #includes: readonly [ExcludePattern, IgnoreRule][];
  /** The rules of `#includes`, in the same order. */
  readonly #includeRules: DirRules;
  readonly #excludes: DirRules;
  readonly #hit = new Set<ExcludePattern>();
  /** Some pattern is matched against whole paths (the others only against names, so callers may pass "" for the path). */
  readonly needsPaths: boolean;

  /** Throws a usage error naming a malformed pattern and the flag it came from. */
  constructor(include: readonly ExcludePattern[], exclude: readonly ExcludePattern[]) {
    this.#includes = compilePatterns(include);
    this.#includeRules = this.#includes.map(([, rule]) => rule);
    this.#excludes = compileExcludes({ patterns: exclude });
    this.needsPaths = [...this.#includeRules, ...this.#excludes].some((rule) => !rule.onName);
  }

  /**
   * Where the entry at absolute `path` lies, deciding each directory above it from the root down:
   * so an include or exclude of a directory above a backed-up path (`/home` for `/home/me`)
   * decides for it, as it would for an entry inside.
   */
  withinAbove(path: string): Within {
    let within: Within = this.#includes.length === 0 ? "in" : "out";
    let dir = "";
    for (const name of path.split("/").slice(1, -1)) {
      dir = `${dir}/${name}`;
      within = this.#decide(within, dir, name, true, true).within;
    }
    return within;
  }

  /** Decides an entry at the absolute path `path` (named `name`) inside a directory whose entries lie `within`. */
  entry(within: Within, path: string, name: string, isDir: boolean): Decision {
    return this.#decide(within, path, name, isDir, true);
  }

  /**
   * For a walk that decides before it knows an entry's kind (the scan of the disk): whether the
   * entry could be selected, as a file or as a directory, or hold something selected; and where
   * its entries lie if it is a directory.
   */
  mayHold(within: Within, path: string, name: string): { readonly keep: boolean; readonly within: Within } {
    const asFile = this.#decide(within, path, name, false, false);
    const asDir = this.#decide(within, path, name, true, false);
    return { keep: asFile.selected || asDir.selected || asDir.within !== "none", within: asDir.within };
  }

  /** The include patterns that have selected nothing so far (`!` patterns never count). */
  unmatched(): ExcludePattern[] {
    return this.#includes.filter(([p, rule]) => !rule.negate && !this.#hit.has(p)).map(([p]) => p);
  }

  #decide(within: Within, path: string, name: string, isDir: boolean, count: boolean): Decision {
    if (within === "none" || isExcluded(this.#excludes, path, name, isDir)) return NOTHING;
    let included = within === "in";
    const i = lastMatch(this.#includeRules, path, name, isDir);
    if (i >= 0) {
      const [pattern, rule] = this.#includes[i]!;
      included = !rule.negate;
      if (count && included) this.#hit.add(pattern);
    }
    if (!isDir) return { selected: included, within: "none" };
    if (included) return { selected: true, within: "in" };
    return { selected: false, within: this.#includes.some(([, rule]) => !rule.negate && mayMatchBeneath(rule, path)) ? "out" : "none" };
  }
}
