/**
 * The exclude matcher against git's own: for each set of patterns, the same tree gets `.gitignore`
 * files and `.backpakignore` files with the same lines (or the lines as --exclude/--iexclude
 * patterns), `git check-ignore` says which paths git ignores, and a walk with our Excluder (which
 * never enters a directory it leaves out) must leave out exactly those.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { Excluder, IGNORE_FILE, isExcluded, NO_EXCLUDES, type DirRules, type ExcludeSpec } from "../../src/fs/excludes.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";

cleanUpAfterThisFile();

/** Files of the tree (directories are made for them; a trailing `/` makes an empty directory). */
const TREE = [
  "a.txt", "a.txt.bak", "b.TXT", "A.TXT", "with space.txt", "trailing ", "trailing", ".hidden", ".hiddendir/x", "#hash", "!bang",
  "abc", "abd", "aXc", "a-c", "a]c", "a/c/d", "x.txt",
  "foo/bar", "foo/bar.txt", "foo/baz/bar", "foo/baz/qux.o", "foo/baz/deep/bar/z", "foobar/x.o", "foo.bar/y",
  "build/out.o", "build/keep.txt", "build/sub/keep.o", "src/build/y.o", "src/build/keep.o", "src/main.c", "src/Main.C", "src/lib/a.c", "src/lib/deep/b.c", "src/lib/deep/build",
  "docs/read me.md", "docs/a[1].md", "docs/star*.md", "docs/q?.md", "docs/sub/n.md", "docs/empty/",
  "logs/x.log", "logs/sub/y.log", "logs/important.log", "important.log", "LOGS/z.log",
  "node_modules/m/index.js", "sub/node_modules/m/index.js", "sub/node_modules_x/i.js",
  "x/y/z/w.txt", "x/y/q.txt", "y/x/y/z", "one/two/three/four.txt", "one/three/four.txt",
];

function makeTree(root: string): void {
  for (const rel of TREE) {
    const abs = path.join(root, rel);
    if (rel.endsWith("/")) fs.mkdirSync(abs, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, rel);
    }
  }
}

/** Every path under `root` (relative, without .git), parents before children. */
function allPaths(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const n of fs.readdirSync(path.join(root, rel)).sort()) {
    if (rel === "" && n === ".git") continue;
    const r = rel === "" ? n : `${rel}/${n}`;
    out.push(r);
    if (fs.lstatSync(path.join(root, r)).isDirectory()) out.push(...allPaths(root, r));
  }
  return out;
}

/** The paths git ignores under `root` (a git repository), with no global or system excludes. */
function gitIgnored(root: string, ignoreCase: boolean): Set<string> {
  const home = tempDir("git-home");
  const proc = Bun.spawnSync({
    cmd: ["git", "-c", "core.excludesFile=", "-c", `core.ignoreCase=${ignoreCase}`, "check-ignore", "--no-index", "--stdin", "-z"],
    cwd: root,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: "1" },
    stdin: Buffer.from(allPaths(root).join("\0") + "\0"),
    stdout: "pipe",
    stderr: "pipe",
  });
  // 0: some paths are ignored, 1: none are.
  if (proc.exitCode !== 0 && proc.exitCode !== 1) throw new Error(`git check-ignore failed: ${proc.stderr.toString()}`);
  return new Set(proc.stdout.toString().split("\0").filter((p) => p !== ""));
}

/** The paths a walk with our Excluder leaves out: excluded ones and everything under them. */
function ourIgnored(root: string, spec: ExcludeSpec): Set<string> {
  const ex = new Excluder(spec);
  const out = new Set<string>();
  const walk = (rel: string, rules: DirRules, excludedAbove: boolean): void => {
    const dir = rel === "" ? root : path.join(root, rel);
    const names = fs.readdirSync(dir).filter((n) => !(rel === "" && n === ".git")).sort();
    const inner = excludedAbove ? undefined : ex.enter(rules, dir, names);
    for (const n of names) {
      const r = rel === "" ? n : `${rel}/${n}`;
      const abs = path.join(root, r);
      const isDir = fs.lstatSync(abs).isDirectory();
      const ignored = inner === undefined || isExcluded(inner, abs, n, isDir);
      if (ignored) out.add(r);
      if (isDir) walk(r, inner ?? [], ignored);
    }
  };
  walk("", ex.top, false);
  return out;
}

/** A fresh tree in a new git repository, with `files` (relative path → lines) written in it. */
function repoWith(files: Record<string, readonly string[]>): string {
  const root = tempDir("gitignore");
  makeTree(root);
  const init = Bun.spawnSync({ cmd: ["git", "init", "-q", root], stdout: "pipe", stderr: "pipe" });
  if (init.exitCode !== 0) throw new Error(`git init failed: ${init.stderr.toString()}`);
  for (const [rel, lines] of Object.entries(files)) fs.writeFileSync(path.join(root, rel), lines.join("\n") + "\n");
  return root;
}

/** Asserts both sets are equal, listing the paths on which they disagree. */
function expectSame(ours: Set<string>, git: Set<string>): void {
  const onlyOurs = [...ours].filter((p) => !git.has(p));
  const onlyGit = [...git].filter((p) => !ours.has(p));
  expect({ onlyOurs, onlyGit }).toEqual({ onlyOurs: [], onlyGit: [] });
  expect(git.size).toBeGreaterThan(0);
}

/** Checks `files` (directory → lines) written as both `.gitignore` and `.backpakignore`. */
function checkIgnoreFiles(files: Record<string, readonly string[]>): void {
  const both: Record<string, readonly string[]> = {};
  for (const [dir, lines] of Object.entries(files)) {
    both[path.join(dir, ".gitignore")] = lines;
    both[path.join(dir, IGNORE_FILE)] = lines;
  }
  const root = repoWith(both);
  expectSame(ourIgnored(root, NO_EXCLUDES), gitIgnored(root, false));
}

const SETS: Record<string, Record<string, readonly string[]>> = {
  "wildcards, comments, escapes and trailing spaces": {
    ".": ["# a comment", "", "*.o", "\\#hash", "\\!bang", "with\\ space.txt", "trailing\\ ", "*.bak   ", "?.txt", ".hidden*", "  "],
  },
  "trailing slash: directories only": {
    ".": ["build/", "bar/", "deep/", "x.txt/", "trailing"],
  },
  "anchored by a leading or middle slash, unanchored without": {
    ".": ["/a.txt", "foo/bar", "/src/lib", "baz/", "node_modules", "y/z", "/x/y/q.txt", "b.TXT"],
  },
  "double stars": {
    ".": ["foo/**/bar", "**/deep", "x/**", "**/node_modules/**", "one/**/four.txt", "src/**/*.c", "docs/**", "!docs/sub/", "a**c"],
  },
  "classes": {
    ".": ["a[b-c]?", "ab[cd]", "[!a-z]*.txt", "a[[:upper:]]c", "a[-]c", "a[]]c", "*[[]1].md", "star\\*.md", "q\\?.md", "[[:digit:]]*", "a[z-a]c", "[^.]oo*", "a[!b]c"],
  },
  "negation, and no re-including under an excluded directory": {
    ".": ["*.log", "!important.log", "build/", "!build/keep.txt", "!build/sub/", "logs", "!logs/important.log", "foo/*", "!foo/baz", "foo/baz/*", "!foo/baz/qux.o"],
  },
  "everything but C sources": {
    ".": ["*", "!*/", "!*.c"],
  },
  ".gitignore files at several depths, deeper ones winning": {
    ".": ["*.o", "!keep.o", "bar", "*.md"],
    src: ["/build", "lib/deep/", "!main.c", "*.c"],
    foo: ["!bar", "baz/deep", "/bar.txt"],
    "foo/baz": ["qux.o", "!deep"],
    docs: ["!*.md", "sub/"],
    "docs/sub": ["!n.md"],
  },
};

for (const [name, files] of Object.entries(SETS)) {
  test(`agrees with git check-ignore: ${name}`, () => checkIgnoreFiles(files));
}

/** Global patterns with no slash, or only a trailing one, match at any depth in both tools. */
const GLOBAL = ["*.txt", "!a.txt", "build/", "[a-b]*.LOG", "node_modules", "deep", "logs/", "!important.log", "*.c"];

for (const ignoreCase of [false, true]) {
  test(`--${ignoreCase ? "i" : ""}exclude patterns agree with git${ignoreCase ? " with core.ignoreCase" : ""}`, () => {
    const root = repoWith({ ".gitignore": GLOBAL });
    const spec = { ...NO_EXCLUDES, patterns: GLOBAL.map((pattern) => ({ pattern, ignoreCase, source: "--exclude" })) };
    expectSame(ourIgnored(root, spec), gitIgnored(root, ignoreCase));
  });
}
