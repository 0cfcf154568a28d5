/** Skip patterns: regular expressions matched anywhere in a path; a path is skipped if any matches. */
import { BackpakError } from "../lib/errors.ts";

/** Compiles the patterns into one predicate (undefined when there are none). */
export function skipMatcher(patterns: readonly string[]): ((path: string) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  const res = patterns.map((p) => {
    try {
      return new RegExp(p);
    } catch (err) {
      throw new BackpakError("usage", `Bad --skip pattern ${JSON.stringify(p)}`, { cause: err, hint: "skip patterns are regular expressions" });
    }
  });
  return (path) => res.some((re) => re.test(path));
}

/** Merges config skips with command-line ones: the CLI list alone if the config has none, else the sorted union. */
export function mergeSkips(config: readonly string[], cli: readonly string[]): string[] {
  if (config.length === 0) return [...cli];
  return [...new Set([...config, ...cli])].sort();
}
