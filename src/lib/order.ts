/** Orderings the format depends on: UTF-8 byte order of names and Rust's component-wise `Path` order. */

/** Compares strings by their UTF-8 bytes (the same as comparing code points). */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only when a surrogate meets a unit in U+E000..U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (x >= 0xe000 || y >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Splits a path into its normal components, as Rust's `Path::components` does for absolute paths. */
function components(p: string): string[] {
  const out: string[] = [];
  if (p.startsWith("/")) out.push("/");
  for (const c of p.split("/")) if (c !== "" && c !== ".") out.push(c);
  return out;
}

/** Compares paths component by component: `/a/b` sorts before `/a-b`, unlike plain byte order. */
export function comparePaths(a: string, b: string): number {
  const ca = components(a);
  const cb = components(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const c = compareUtf8(ca[i]!, cb[i]!);
    if (c !== 0) return c;
  }
  return ca.length - cb.length;
}

/** Sorts and removes duplicates, returning a new array. */
export function sortedUnique(items: Iterable<string>, cmp: (a: string, b: string) => number = compareUtf8): string[] {
  const out = [...items].sort(cmp);
  return out.filter((x, i) => i === 0 || cmp(out[i - 1]!, x) !== 0);
}
