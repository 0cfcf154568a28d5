/**
 * The one filesystem walker (`fs/walker.ts`), which backup's scan and diff's and restore's
 * `scanFs` share: the order of its steps (entries by their UTF-8 bytes, depth first), following
 * symlinks or not, what skip and an excluder leave out, what it reports as unreadable (and goes
 * on) or special, and a tree 3000 levels deep walked at a constant call-stack depth. Then
 * `scanFs`'s errors and warnings for the same entries.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { Excluder, NO_EXCLUDES } from "../../src/fs/excludes.ts";
import { scanFs } from "../../src/fs/walk.ts";
import { Problem, Step, Walker, type WalkerOptions } from "../../src/fs/walker.ts";
import { BackpakError } from "../../src/lib/errors.ts";
import { inDeepDir, removeDeep } from "../helpers/deep-tree.ts";
import { cleanUpAfterThisFile, tempDir } from "../helpers/tmp.ts";
import { captureWarnings } from "../helpers/warnings.ts";

cleanUpAfterThisFile();
const warnings = captureWarnings();

const NAMES = ["Zed", "a", "b.txt", "é", "z", "\u{1F600}", "\uFFFD"];

/** Every step of a walk as a line: its kind and path (relative to `root`), and why for unreadable ones. */
function steps(paths: readonly string[], opts: WalkerOptions, root: string): string[] {
  const w = new Walker(paths, opts);
  const out: string[] = [];
  const rel = (p: string): string => (p.startsWith(`${root}/`) ? p.slice(root.length + 1) : p);
  for (let s = w.next(); s !== Step.End; s = w.next()) {
    switch (s) {
      case Step.Enter:
        out.push(`enter ${rel(w.path)}${w.top ? " (top)" : ""}`);
        break;
      case Step.Exit:
        out.push("exit");
        break;
      case Step.File:
        out.push(`file ${rel(w.path)} ${w.stat!.size}`);
        break;
      case Step.Symlink:
        out.push(`symlink ${rel(w.path)} -> ${w.targetText}`);
        break;
      case Step.Special:
        out.push(`special ${rel(w.path)}`);
        break;
      case Step.Unreadable:
        out.push(`unreadable ${rel(w.path)}: ${w.why}`);
        break;
    }
  }
  return out;
}

test("entries come depth first, each directory's in the order of their UTF-8 bytes", () => {
  const root = tempDir("walker-order");
  const top = path.join(root, "top");
  fs.mkdirSync(top);
  for (const n of NAMES) fs.writeFileSync(path.join(top, n), n);
  fs.mkdirSync(path.join(top, "b", "inner"), { recursive: true });
  fs.writeFileSync(path.join(top, "b", "inner", "x"), "xx");
  fs.writeFileSync(path.join(top, "b", "y"), "y");
  const other = path.join(root, "other.txt");
  fs.writeFileSync(other, "12345");
  const byBytes = [...NAMES, "b"].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  expect(byBytes).toEqual(["Zed", "a", "b", "b.txt", "z", "é", "\uFFFD", "\u{1F600}"]);
  // The top-level paths keep the order they are given in.
  expect(steps([top, other], { dereference: false }, root)).toEqual([
    "enter top (top)",
    "file top/Zed 3",
    "file top/a 1",
    "enter top/b",
    "enter top/b/inner",
    "file top/b/inner/x 2",
    "exit",
    "file top/b/y 1",
    "exit",
    "file top/b.txt 5",
    "file top/z 1",
    "file top/é 2",
    "file top/\uFFFD 3",
    "file top/\u{1F600} 4",
    "exit",
    "file other.txt 5",
  ]);
  const w = new Walker([top], { dereference: false });
  expect(w.next()).toBe(Step.Enter);
  expect([w.name, w.top, w.rawName]).toEqual(["top", true, undefined]);
  expect(w.next()).toBe(Step.File);
  expect([w.name, w.top, w.rawName?.toString()]).toEqual(["Zed", false, "Zed"]);
});

test("symlinks are steps of their own, or followed with dereference", () => {
  const root = tempDir("walker-deref");
  fs.mkdirSync(path.join(root, "d", "sub"), { recursive: true });
  fs.writeFileSync(path.join(root, "d", "sub", "f"), "abc");
  fs.symlinkSync("sub/f", path.join(root, "d", "to-file"));
  fs.symlinkSync("sub", path.join(root, "d", "to-dir"));
  const d = path.join(root, "d");
  expect(steps([d], { dereference: false }, root)).toEqual(["enter d (top)", "enter d/sub", "file d/sub/f 3", "exit", "symlink d/to-dir -> sub", "symlink d/to-file -> sub/f", "exit"]);
  expect(steps([d], { dereference: true }, root)).toEqual([
    "enter d (top)",
    "enter d/sub",
    "file d/sub/f 3",
    "exit",
    "enter d/to-dir",
    "file d/to-dir/f 3",
    "exit",
    "file d/to-file 3",
    "exit",
  ]);
});

test("skip leaves out a path and everything under it, before it is read; an excluder leaves out what it excludes", () => {
  const root = tempDir("walker-skip");
  fs.mkdirSync(path.join(root, "d", "gone"), { recursive: true });
  fs.mkdirSync(path.join(root, "d", "cache"), { recursive: true });
  fs.writeFileSync(path.join(root, "d", "gone", "f"), "");
  fs.writeFileSync(path.join(root, "d", "cache", "CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55");
  fs.writeFileSync(path.join(root, "d", "keep.log"), "");
  fs.writeFileSync(path.join(root, "d", "keep.txt"), "");
  fs.writeFileSync(path.join(root, "d", ".backpakignore"), "*.log\n");
  const d = path.join(root, "d");
  const asked: string[] = [];
  const skip = (p: string): boolean => {
    asked.push(p.slice(root.length + 1));
    return p.endsWith("/gone");
  };
  expect(steps([d], { dereference: false, skip }, root)).toEqual([
    "enter d (top)",
    "file d/.backpakignore 6",
    "enter d/cache",
    "file d/cache/CACHEDIR.TAG 43",
    "exit",
    "file d/keep.log 0",
    "file d/keep.txt 0",
    "exit",
  ]);
  expect(asked).not.toContain("d/gone/f");
  const excluder = new Excluder({ ...NO_EXCLUDES, caches: true, patterns: [{ pattern: "keep.txt", ignoreCase: false, source: "--test" }] });
  expect(steps([d], { dereference: false, skip, excluder }, root)).toEqual(["enter d (top)", "file d/.backpakignore 6", "exit"]);
});

test("what can't be read or named is reported with why, and the walk goes on; special files are steps of their own", () => {
  const root = tempDir("walker-unreadable");
  const d = path.join(root, "d");
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, "a"), "a");
  fs.writeFileSync(Buffer.concat([Buffer.from(`${d}/`), Buffer.from([0x66, 0x6f, 0x80, 0x6f])]), "bad name");
  fs.symlinkSync(Buffer.from([0x2f, 0x78, 0xff]), path.join(d, "bad-target"));
  fs.symlinkSync("nowhere", path.join(d, "dangling"));
  expect(Bun.spawnSync({ cmd: ["mkfifo", path.join(d, "fifo")] }).exitCode).toBe(0);
  fs.writeFileSync(path.join(d, "z"), "z");
  expect(steps([d, path.join(root, "missing")], { dereference: false, access: true }, root)).toEqual([
    "enter d (top)",
    "file d/a 1",
    "unreadable d/bad-target: non-UTF-8 symlink target (bytes 2f78ff)",
    "symlink d/dangling -> nowhere",
    "special d/fifo",
    'unreadable d/"fo\u0080o": non-UTF-8 name (bytes 666f806f)',
    "file d/z 1",
    "exit",
    "unreadable missing: vanished",
  ]);
  expect(steps([d], { dereference: true }, root)).toContain("unreadable d/dangling: dangling symlink, with --dereference");
  const w = new Walker([path.join(root, "missing")], { dereference: false });
  expect(w.next()).toBe(Step.Unreadable);
  expect([w.problem, (w.cause as NodeJS.ErrnoException).code]).toEqual([Problem.Stat, "ENOENT"]);
});

test("scanFs stops at the first entry it can't read or name, with the error it always gave, and warns about special files", () => {
  const root = tempDir("walker-scanfs");
  const scan = (p: string): unknown => {
    try {
      return [...scanFs([p], { dereference: false })].map((e) => `${e.kind} ${path.relative(root, e.entry.path)}`);
    } catch (err) {
      return err;
    }
  };
  const expectError = (err: unknown, kind: string, message: string): void => {
    expect(err).toBeInstanceOf(BackpakError);
    expect([(err as BackpakError).kind, (err as BackpakError).message]).toEqual([kind, message]);
  };
  const names = path.join(root, "names");
  fs.mkdirSync(names);
  fs.writeFileSync(Buffer.concat([Buffer.from(`${names}/`), Buffer.from([0x66, 0x80])]), "");
  fs.writeFileSync(path.join(names, "a"), "");
  expectError(scan(names), "usage", `Failed iterating subdirectory ${names}: the name "f\u0080" (bytes 6680) isn't valid UTF-8`);
  // The error comes where the walk meets the name (in byte order), no longer when its directory is listed.
  const seen: string[] = [];
  expect(() => {
    for (const e of scanFs([names], { dereference: false })) seen.push(`${e.kind} ${path.relative(root, e.entry.path)}`);
  }).toThrow(BackpakError);
  expect(seen).toEqual(["enter names", "file names/a"]);
  const links = path.join(root, "links");
  fs.mkdirSync(links);
  fs.symlinkSync(Buffer.from([0xff]), path.join(links, "l"));
  expectError(scan(links), "usage", `The symlink ${links}/l points to a path that isn't valid UTF-8`);
  const missing = path.join(root, "missing");
  const err = scan(missing);
  expectError(err, "io", `Couldn't stat ${missing}`);
  expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  const specials = path.join(root, "specials");
  fs.mkdirSync(specials);
  expect(Bun.spawnSync({ cmd: ["mkfifo", path.join(specials, "fifo")] }).exitCode).toBe(0);
  fs.writeFileSync(path.join(specials, "f"), "");
  expect(scan(specials)).toEqual(["enter specials", "file specials/f", "exit specials"]);
  expect(warnings).toEqual([`Skipping special file (10000) ${specials}/fifo`]);
});

const DEPTH = 3000;

test(`a tree ${DEPTH} levels deep is walked in order, at the same call-stack depth at every level`, () => {
  const deep = tempDir("walker-deep");
  const names = Array.from({ length: DEPTH }, () => "d");
  inDeepDir(deep, names, (at) => fs.writeFileSync(at("leaf"), "deep"));
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  const depths = new Set<number>();
  try {
    const w = new Walker([`${deep}/d`], {
      dereference: false,
      skip: () => {
        depths.add(new Error().stack!.split("\n").length);
        return false;
      },
    });
    let enters = 0;
    let exits = 0;
    let leaf = "";
    let level = 0;
    let deepest = 0;
    for (let s = w.next(); s !== Step.End; s = w.next()) {
      if (s === Step.Enter) {
        enters++;
        deepest = Math.max(deepest, ++level);
      } else if (s === Step.Exit) {
        level--;
        exits++;
      } else if (s === Step.File) leaf = w.path;
      else throw new Error(`unexpected step ${s} at ${w.path}: ${w.why}`);
    }
    expect([enters, exits, deepest, level]).toEqual([DEPTH, DEPTH, DEPTH, 0]);
    expect(leaf).toBe(`${deep}/${names.join("/")}/leaf`);
  } finally {
    Error.stackTraceLimit = limit;
    removeDeep(deep); // before the temporary directories go: fs.rmSync is slow on a chain this deep
  }
  expect(depths.size).toBe(1);
});
