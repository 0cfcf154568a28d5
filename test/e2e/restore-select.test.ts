/**
 * Partial restores with the compiled binary: `restore --include/--exclude` (and their
 * case-insensitive and negated forms), `restore SNAPSHOT:PATH` by LAST and by ID prefix, with
 * --delete, --times and --dry-run; and each bad input (a malformed glob, an include that matches
 * nothing, a path that isn't in the snapshot) exits 2 having written nothing.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, contentsOf, entriesIn, errorReport, fails, lines, ok, setup, tempDir, type RunResult } from "./harness.ts";

cleanUpAfterThisFile();

/** The backed-up tree, relative path → contents (a trailing `/` is a directory, `-> x` a symlink). */
const TREE: Record<string, string> = {
  "src/": "",
  "src/lib/": "",
  "src/lib/a.c": "int a;\n",
  "src/lib/b.h": "extern int a;\n",
  "src/lib/build.log": "cc a.c\n",
  "src/old/": "",
  "src/old/o.c": "int old;\n",
  "src/Main.C": "int main;\n",
  "docs/": "",
  "docs/readme.md": "# read me\n",
  "docs/draft.md": "# draft\n",
  "docs/link": "-> readme.md",
};

let work: string;
let repo: string;
/** The backed-up directory, as the snapshot records it (absolute, symlinks resolved). */
let data: string;
/** The snapshot's ID, as backup printed it (a prefix). */
let id: string;
/** What each backed-up path holds, as contentsOf reports it. */
let original: Record<string, string>;

function makeTree(dir: string): void {
  for (const [rel, what] of Object.entries(TREE)) {
    const p = path.join(dir, rel);
    if (rel.endsWith("/")) fs.mkdirSync(p);
    else if (what.startsWith("-> ")) fs.symlinkSync(what.slice(3), p);
    else fs.writeFileSync(p, what);
  }
  // Directory times a restore with --times must bring back.
  for (const [i, rel] of ["src/lib/", "src/", "docs/"].entries()) fs.utimesSync(path.join(dir, rel), 1_000_000 + i, 1_000_000 + i);
}

beforeAll(() => {
  ({ work, repo } = setup("select"));
  data = path.join(fs.realpathSync(tempDir("select-data")), "data");
  fs.mkdirSync(data);
  makeTree(data);
  original = contentsOf(data);
  const r = ok(cli(work, repo, ["backup", data]));
  id = /Snaphsot (\S+) done/.exec(r.stdout + r.stderr)![1]!;
});

/** A file's bytes as contentsOf reports them. */
const sha256 = (text: string): string => new Bun.CryptoHasher("sha256").update(text).digest("hex");

/** A fresh directory to restore into (not created yet). */
const target = (label: string): string => path.join(tempDir(label), "out");

/** What `rels` of the backed-up tree hold, as contentsOf reports them. */
const expected = (rels: readonly string[], prefix = ""): Record<string, string> =>
  Object.fromEntries(rels.map((rel) => [rel.slice(prefix.length), original[rel]!]));

function restored(label: string, args: readonly string[]): Record<string, string> {
  const out = target(label);
  ok(cli(work, repo, ["restore", "-o", out, ...args]));
  return contentsOf(out);
}

describe("--include and --exclude", () => {
  test("an included file brings the directories on its way, and nothing else", () => {
    expect(restored("file", ["--include", `${data}/src/lib/a.c`, "LAST"])).toEqual(expected(["src/", "src/lib/", "src/lib/a.c"]));
  });

  test("an included directory brings everything beneath it", () => {
    expect(restored("dir", ["-i", `${data}/docs`, "LAST"])).toEqual(expected(["docs/", "docs/readme.md", "docs/draft.md", "docs/link"]));
    // A directory above the backed-up path brings all of it; excluding one leaves nothing.
    expect(restored("above", ["-i", path.dirname(data), "LAST"])).toEqual(original);
    expect(restored("above-e", ["-e", path.dirname(data), "LAST"])).toEqual({});
  });

  test("an exclude inside an included directory wins, and leaves out all beneath it", () => {
    const got = restored("inside", ["-i", "src", "-e", "old/", "-e", "*.log", "LAST"]);
    expect(got).toEqual(expected(["src/", "src/lib/", "src/lib/a.c", "src/lib/b.h", "src/Main.C"]));
  });

  test("a ! pattern takes back part of what an earlier one selected, among includes and among excludes", () => {
    expect(restored("neg-include", ["-i", "*.md", "-i", "!draft.md", "LAST"])).toEqual(expected(["docs/", "docs/readme.md"]));
    const got = restored("neg-exclude", ["-e", "*.c", "-e", "!a.c", "-e", "docs/", "LAST"]);
    expect(got).toEqual(expected(["src/", "src/lib/", "src/lib/a.c", "src/lib/b.h", "src/lib/build.log", "src/old/", "src/Main.C"]));
  });

  test("--iinclude and --iexclude ignore case; --include and --exclude don't", () => {
    expect(restored("case", ["--include", "*.c", "LAST"])).toEqual(expected(["src/", "src/lib/", "src/lib/a.c", "src/old/", "src/old/o.c"]));
    expect(restored("icase", ["--iinclude", "*.c", "LAST"])).toEqual(expected(["src/", "src/lib/", "src/lib/a.c", "src/old/", "src/old/o.c", "src/Main.C"]));
    const got = restored("iexclude", ["--iexclude", "*.C", "--iexclude", "DOCS", "LAST"]);
    expect(got).toEqual(expected(["src/", "src/lib/", "src/lib/b.h", "src/lib/build.log", "src/old/"]));
  });

  test("patterns can come from files", () => {
    const dir = tempDir("pattern-files");
    fs.writeFileSync(path.join(dir, "inc"), `# headers and docs\n*.h\n${data}/docs/\n`);
    fs.writeFileSync(path.join(dir, "exc"), "draft.md\nlink\n");
    const got = restored("files", ["--include-file", path.join(dir, "inc"), "--exclude-file", path.join(dir, "exc"), "LAST"]);
    expect(got).toEqual(expected(["src/", "src/lib/", "src/lib/b.h", "docs/", "docs/readme.md"]));
  });

  test("--times restores the times of the directories an included file brings", () => {
    const out = target("times");
    ok(cli(work, repo, ["restore", "-t", "-o", out, "-i", `${data}/src/lib/a.c`, "LAST"]));
    expect(fs.statSync(path.join(out, "src")).mtimeMs).toBe(fs.statSync(path.join(data, "src")).mtimeMs);
    expect(fs.statSync(path.join(out, "src/lib")).mtimeMs).toBe(fs.statSync(path.join(data, "src/lib")).mtimeMs);
  });

  test("--delete deletes only what the patterns select, and keeps a directory an exclude leaves something in", () => {
    const out = target("delete");
    ok(cli(work, repo, ["restore", "-o", out, "LAST"]));
    fs.mkdirSync(path.join(out, "src/lib/extra"));
    fs.writeFileSync(path.join(out, "src/lib/extra/x.c"), "x\n");
    fs.writeFileSync(path.join(out, "src/lib/extra/keep.log"), "kept: excluded\n");
    fs.mkdirSync(path.join(out, "src/new"));
    fs.writeFileSync(path.join(out, "src/new/n.c"), "n\n");
    fs.writeFileSync(path.join(out, "src/lib/z.c"), "z\n");
    fs.writeFileSync(path.join(out, "docs/extra.md"), "kept: not included\n");
    fs.writeFileSync(path.join(out, "src/lib/a.c"), "changed\n");
    const args = ["restore", "--delete", "-o", out, "-i", `${data}/src`, "-e", "*.log", "LAST"];
    const before = contentsOf(out);

    const dry = ok(cli(work, repo, [...args.slice(0, 1), "--dry-run", ...args.slice(1)]));
    expect(contentsOf(out)).toEqual(before);
    const r = ok(cli(work, repo, args));
    const changes = [
      `C ${out}/src/lib/a.c`,
      `- ${out}/src/lib/extra/x.c`,
      `- ${out}/src/lib/z.c`,
      `- ${out}/src/new/n.c`,
      `- ${out}/src/new/`,
    ];
    expect(lines(dry.stdout)).toEqual(changes);
    expect(lines(r.stdout)).toEqual(changes);
    expect(contentsOf(out)).toEqual({ ...original, "src/lib/extra/": "/", "src/lib/extra/keep.log": sha256("kept: excluded\n"), "docs/extra.md": sha256("kept: not included\n") });
  });

  test("the destination's scan leaves out what the patterns can't select (a name that isn't UTF-8 there stops only a full restore)", () => {
    const out = target("scan");
    fs.mkdirSync(path.join(out, "junk"), { recursive: true });
    fs.writeFileSync(Buffer.from(`${out}/junk/\xff`, "latin1"), "not UTF-8\n");
    expect(errorReport(fails(cli(work, repo, ["restore", "-o", out, "LAST"])))).toContain("isn't valid UTF-8");
    ok(cli(work, repo, ["restore", "-o", out, "-i", `${data}/docs/readme.md`, "LAST"]));
    ok(cli(work, repo, ["restore", "-o", out, "-e", "junk", "LAST"]));
    expect(fs.readFileSync(path.join(out, "docs/readme.md"), "utf8")).toBe(TREE["docs/readme.md"]!);
    expect(fs.readFileSync(path.join(out, "src/lib/a.c"), "utf8")).toBe(TREE["src/lib/a.c"]!);
  });
});

test("with several backed-up paths, each still goes into --output under its name whatever the patterns select", () => {
  const { work, repo } = setup("two-paths");
  const other = path.join(fs.realpathSync(tempDir("two-paths")), "other");
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, "o.txt"), "o\n");
  ok(cli(work, repo, ["backup", data, other]));
  const out = target("two-paths-out");
  ok(cli(work, repo, ["restore", "-o", out, "-i", `${data}/docs/readme.md`, "LAST"]));
  expect(contentsOf(out)).toEqual({ "data/": "/", ...Object.fromEntries(Object.entries(expected(["docs/", "docs/readme.md"])).map(([k, v]) => [`data/${k}`, v])) });
});

describe("SNAPSHOT:PATH", () => {
  test("LAST:PATH restores a directory's contents into --output, and combines with patterns", () => {
    expect(restored("sub-last", ["LAST:data/src/lib"])).toEqual(expected(["src/lib/a.c", "src/lib/b.h", "src/lib/build.log"], "src/lib/"));
    expect(restored("sub-last-e", ["-e", "*.log", "LAST:data/src/lib"])).toEqual(expected(["src/lib/a.c", "src/lib/b.h"], "src/lib/"));
  });

  test("an ID prefix with the path as it was backed up works too, and a file lands under its name", () => {
    expect(restored("sub-id", [`${id}:${data}/docs`])).toEqual(expected(["docs/readme.md", "docs/draft.md", "docs/link"], "docs/"));
    expect(restored("sub-file", [`${id}:data/docs/readme.md`])).toEqual({ "readme.md": original["docs/readme.md"]! });
  });

  test("without --output, only that part goes back where it was backed up from", () => {
    const { work, repo } = setup("in-place");
    const d = path.join(fs.realpathSync(tempDir("in-place")), "data");
    fs.mkdirSync(d);
    makeTree(d);
    ok(cli(work, repo, ["backup", d]));
    fs.rmSync(path.join(d, "src/lib"), { recursive: true });
    fs.writeFileSync(path.join(d, "docs/readme.md"), "edited since\n");
    const r = ok(cli(work, repo, ["restore", "LAST:data/src/lib"]));
    expect(lines(r.stdout)).toEqual([`+ ${d}/src/lib/`, `+ ${d}/src/lib/a.c`, `+ ${d}/src/lib/b.h`, `+ ${d}/src/lib/build.log`]);
    expect(fs.readFileSync(path.join(d, "docs/readme.md"), "utf8")).toBe("edited since\n");
    expect(contentsOf(path.join(d, "src/lib"))).toEqual(expected(["src/lib/a.c", "src/lib/b.h", "src/lib/build.log"], "src/lib/"));
    // With the directories above it gone too, they are made again.
    fs.rmSync(path.join(d, "src"), { recursive: true });
    ok(cli(work, repo, ["restore", "LAST:data/src/lib/a.c"]));
    expect(entriesIn(d)).toEqual(["docs/", "docs/draft.md", "docs/link", "docs/readme.md", "src/", "src/lib/", "src/lib/a.c"]);
  });
});

describe("bad input exits 2 and writes nothing", () => {
  /** Runs a restore into a fresh target that must not come to exist. */
  function refused(label: string, args: readonly string[]): string {
    const out = target(label);
    const r: RunResult = cli(work, repo, ["restore", "-o", out, ...args]);
    expect(r.code).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
    return errorReport(r);
  }

  test("a malformed glob names itself and its flag", () => {
    expect(refused("bad-include", ["-i", "src/[a", "LAST"])).toContain(`Bad glob "src/[a": a [ is never closed by ] (from --include)`);
    expect(refused("bad-iexclude", ["--iexclude", "x\\", "LAST"])).toContain(`Bad glob "x\\\\": it ends in a backslash (from --iexclude)`);
    const missing = path.join(tempDir("no-such"), "patterns");
    expect(refused("no-file", ["--include-file", missing, "LAST"])).toContain(`Couldn't read --include-file ${missing}`);
    const file = path.join(tempDir("bad-line"), "patterns");
    fs.writeFileSync(file, "*.md\n[[:nope:]]\n");
    expect(refused("bad-line", ["--exclude-file", file, "LAST"])).toContain(`Bad glob "[[:nope:]]": [:nope:] is not a character class (from --exclude-file ${file}, line 2)`);
  });

  test("an include that matches nothing is named, with the others", () => {
    const report = refused("nothing", ["-i", "*.md", "-i", "*.rs", "--iinclude", "NOPE", "LAST"]);
    expect(report).toContain(`--include "*.rs" matches nothing in snapshot`);
    expect(report).toContain(`--iinclude "NOPE" matches nothing in snapshot`);
    expect(report).not.toContain(`"*.md"`);
    // Matching only what an exclude leaves out is matching nothing.
    expect(refused("excluded", ["-i", "*.log", "-e", "src/", "LAST"])).toContain(`--include "*.log" matches nothing in snapshot`);
    expect(refused("sub-nothing", ["-i", "*.md", "LAST:data/src"])).toContain(`--include "*.md" matches nothing in data/src in snapshot`);
  });

  test("a path that isn't in the snapshot is named", () => {
    expect(refused("no-path", ["LAST:data/nope/x"])).toContain(`"data/nope/x" is not in snapshot`);
    expect(refused("under-file", [`${id}:data/docs/readme.md/x`])).toContain(`"data/docs/readme.md/x" is not in snapshot`);
    expect(refused("outside", ["LAST:/elsewhere"])).toContain(`"/elsewhere" lies under none of the paths of snapshot`);
    expect(refused("dotdot", ["LAST:data/../etc"])).toContain(`"data/../etc" is not a path inside a snapshot`);
  });

  test("an existing target is left as it was", () => {
    const out = target("existing");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "mine"), "mine\n");
    for (const args of [["-i", "*.rs", "--delete", "LAST"], ["--delete", "LAST:data/nope"], ["--delete", "-e", "[[:nope:]]", "LAST"]]) {
      expect(cli(work, repo, ["restore", "-o", out, ...args]).code).toBe(2);
    }
    expect(entriesIn(out)).toEqual(["mine"]);
    expect(fs.readFileSync(path.join(out, "mine"), "utf8")).toBe("mine\n");
  });
});
