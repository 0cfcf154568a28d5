/**
 * Translates one glob, as git's wildmatch reads it with WM_PATHNAME, into the source of a regular
 * expression (for the `u` flag, without anchors): `*` and `?` stop at `/`, `**` between slashes
 * (or at either end) crosses them, `[...]` classes (`!` or `^` negates, ranges, POSIX `[:name:]`)
 * never match `/`, and a backslash makes the next character literal. Globs git would never match
 * (an unclosed `[`, a trailing backslash, an unknown class name) are refused instead, so a typo
 * is reported rather than silently excluding nothing.
 */
import { BackpakError } from "../lib/errors.ts";

const POSIX_CLASSES: Record<string, string> = {
  alnum: "a-zA-Z0-9",
  alpha: "a-zA-Z",
  blank: " \\t",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`\\{-~",
  space: " \\t\\n\\r\\f\\v",
  upper: "A-Z",
  xdigit: "0-9A-Fa-f",
};

/** A character outside a class, escaped where the `u` flag requires it. */
const literal = (c: string): string => (/[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c);
/** A character inside a class, likewise. */
const classLiteral = (c: string): string => (/[\\\]\[^\-/]/.test(c) ? `\\${c}` : c);

function malformed(glob: string, why: string): never {
  throw new BackpakError("usage", `Bad glob ${JSON.stringify(glob)}: ${why}`, {
    hint: "a literal [ or \\ is written \\[ or \\\\; classes look like [abc], [a-z], [!0-9] or [[:digit:]]",
  });
}

/**
 * Reads the class that opens at `chars[start]` (`[`; `chars` are the glob's code points); returns
 * its regex and the index after its `]`.
 * As in wildmatch, the first character after `[` (or after its `!`/`^`) is taken literally, even `]`.
 */
function readClass(glob: string, chars: readonly string[], start: number): { readonly re: string; readonly end: number } {
  let i = start + 1;
  const negated = chars[i] === "!" || chars[i] === "^";
  if (negated) i++;
  const items: string[] = [];
  let prev: string | undefined; // the last single character, which a following `-` can make a range from
  let first = true;
  for (;;) {
    let c = chars[i];
    if (c === undefined) malformed(glob, "a [ is never closed by ]");
    if (c === "]" && !first) break;
    first = false;
    if (c === "\\") {
      c = chars[++i];
      if (c === undefined) malformed(glob, "it ends in a backslash");
      items.push(classLiteral(c));
      prev = c;
    } else if (c === "-" && prev !== undefined && chars[i + 1] !== undefined && chars[i + 1] !== "]") {
      let hi = chars[++i]!;
      if (hi === "\\") {
        hi = chars[++i] ?? malformed(glob, "it ends in a backslash");
      }
      items.pop();
      // A reversed range matches nothing, as in git.
      if (prev <= hi) items.push(`${classLiteral(prev)}-${classLiteral(hi)}`);
      prev = undefined;
    } else if (c === "[" && chars[i + 1] === ":") {
      const close = chars.indexOf("]", i + 2);
      if (close < 0) malformed(glob, "a [ is never closed by ]");
      if (chars[close - 1] === ":" && close - 1 >= i + 2) {
        const name = chars.slice(i + 2, close - 1).join("");
        const cls = POSIX_CLASSES[name] ?? malformed(glob, `[:${name}:] is not a character class`);
        items.push(cls);
        prev = undefined;
        i = close;
      } else {
        items.push(classLiteral("["));
        prev = "[";
      }
    } else {
      items.push(classLiteral(c));
      prev = c;
    }
    i++;
  }
  const end = i + 1;
  if (negated) return { re: `[^${items.join("")}/]`, end };
  return { re: items.length === 0 ? "(?!)" : `(?!/)[${items.join("")}]`, end };
}

/** The regex source of `glob`; throws a usage error naming the glob when git would never match it. */
export function globToRegex(glob: string): string {
  const chars = [...glob];
  let out = "";
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === "*") {
      let j = i;
      while (chars[j] === "*") j++;
      const double = j - i >= 2;
      const atStart = i === 0 || chars[i - 1] === "/";
      const atEnd = j === chars.length || chars[j] === "/";
      if (double && atStart && atEnd) {
        if (chars[j] === "/") {
          out += "(?:.*/)?"; // `**/`: any number of whole directories, even none
          j++;
        } else out += ".*";
      } else out += "[^/]*";
      i = j;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "[") {
      const { re, end } = readClass(glob, chars, i);
      out += re;
      i = end;
    } else if (c === "\\") {
      const next = chars[i + 1] ?? malformed(glob, "it ends in a backslash");
      out += literal(next);
      i += 2;
    } else {
      out += literal(c);
      i++;
    }
  }
  return out;
}
