/**
 * Restore's selection rules entry by entry: excludes win over includes, the last matching pattern
 * decides, a trailing `/` matches directories only, and a directory is left unread only when no
 * include can match beneath it (`mayMatchBeneath`, which must never say no wrongly).
 */
import { expect, test } from "bun:test";
import { ignoreRule, mayMatchBeneath } from "../../src/format/gitignore.ts";
import { RestoreFilter, type Within } from "../../src/fs/restore-filter.ts";

const p = (pattern: string, ignoreCase = false) => ({ pattern, ignoreCase, source: "--test" });
const rule = (pattern: string, ignoreCase = false) => ignoreRule(pattern, { dir: "/", suffixes: true, ignoreCase })!;

/** The decision for the entry at absolute `path`, deciding each directory above it from the root down. */
const decide = (filter: RestoreFilter, path: string, isDir: boolean): { selected: boolean; within: Within } =>
  filter.entry(filter.withinAbove(path), path, path.slice(path.lastIndexOf("/") + 1), isDir);

test("anchored includes lead only along their own path; others may match anywhere", () => {
  expect(mayMatchBeneath(rule("/a/b/*.c"), "/")).toBe(true);
  expect(mayMatchBeneath(rule("/a/b/*.c"), "/a")).toBe(true);
  expect(mayMatchBeneath(rule("/a/b/*.c"), "/a/b")).toBe(true);
  expect(mayMatchBeneath(rule("/a/b/*.c"), "/a/c")).toBe(false);
  expect(mayMatchBeneath(rule("/a/b/*.c"), "/a/b/x.c")).toBe(false);
  expect(mayMatchBeneath(rule("/a/*/c"), "/a/zz")).toBe(true);
  expect(mayMatchBeneath(rule("/a/**/z"), "/a/q/r/s")).toBe(true);
  expect(mayMatchBeneath(rule("/a/**/z"), "/b")).toBe(false);
  expect(mayMatchBeneath(rule("/A/b", true), "/a")).toBe(true);
  expect(mayMatchBeneath(rule("/A/b"), "/a")).toBe(false);
  // Not anchored, or not split cleanly at its slashes: anywhere.
  for (const pattern of ["*.c", "b/*.c", "/a\\/b/c", "/a[/]b/c"]) expect(mayMatchBeneath(rule(pattern), "/elsewhere/deep")).toBe(true);
});

test("excludes win, and nothing beneath an excluded directory comes back", () => {
  const f = new RestoreFilter([p("/r/src")], [p("*.o"), p("gen/"), p("!keep.o")]);
  expect(decide(f, "/r/src/a.c", false).selected).toBe(true);
  expect(decide(f, "/r/src/a.o", false).selected).toBe(false);
  expect(decide(f, "/r/src/keep.o", false).selected).toBe(true);
  expect(decide(f, "/r/src/gen", true)).toEqual({ selected: false, within: "none" });
  expect(decide(f, "/r/src/gen", false).selected).toBe(true); // `gen/` matches directories only
  expect(decide(f, "/r/src/gen/keep.o", false).selected).toBe(false);
  expect(decide(f, "/r/docs", true)).toEqual({ selected: false, within: "none" });
});

test("among includes the last match decides, and an include that selected nothing is reported", () => {
  const f = new RestoreFilter([p("docs/"), p("!drafts/"), p("*.final.md"), p("*.rs")], []);
  expect(decide(f, "/r/docs", true)).toEqual({ selected: true, within: "in" });
  expect(decide(f, "/r/docs/a.md", false).selected).toBe(true);
  expect(decide(f, "/r/docs/drafts", true)).toEqual({ selected: false, within: "out" });
  expect(decide(f, "/r/docs/drafts/x.md", false).selected).toBe(false);
  expect(decide(f, "/r/docs/drafts/x.final.md", false).selected).toBe(true);
  expect(decide(f, "/r/docs", false).selected).toBe(false); // a file named docs
  expect(f.unmatched().map((x) => x.pattern)).toEqual(["*.rs"]);
  // Deciding for a scan (kind unknown) counts nothing.
  const g = new RestoreFilter([p("*.rs")], []);
  expect(g.mayHold("out", "/r/x.rs", "x.rs").keep).toBe(true);
  expect(g.unmatched().map((x) => x.pattern)).toEqual(["*.rs"]);
});

test("a pattern matching a directory above a backed-up path decides for it too", () => {
  const f = new RestoreFilter([p("/home")], [p("/home/you")]);
  expect(decide(f, "/home/me", true)).toEqual({ selected: true, within: "in" });
  expect(decide(f, "/home/you/x", false).selected).toBe(false);
  expect(decide(f, "/srv/data", true)).toEqual({ selected: false, within: "none" });
  expect(f.unmatched()).toEqual([]);
});
