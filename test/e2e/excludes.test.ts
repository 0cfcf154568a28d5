/**
 * backup's excludes, run as a user would: --exclude, --iexclude and their files, .backpakignore
 * files, --exclude-if-present, --exclude-caches, -x, --files-from and the config's keys, each
 * checked by listing the snapshot; and bad input (a malformed glob, a missing file), which must
 * fail with exit status 2, naming the argument, before anything is written.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { canMount, withSmallDisk } from "../helpers/tmpfs.ts";
import { cleanUpAfterThisFile, cli, EMPTY_REPO, entriesIn, errorReport, fails, lines, ok, run, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag.\n";

/** Writes `files` (relative path → contents; a trailing `/` makes an empty directory) under a new directory named `data`. */
function tree(files: Record<string, string>): string {
  const data = path.join(tempDir("excl-data"), "data");
  fs.mkdirSync(data);
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(data, rel);
    if (rel.endsWith("/")) fs.mkdirSync(abs, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
    }
  }
  return data;
}

/** Backs up with `args` and returns `ls LAST`. */
function backedUp(args: readonly string[]): string[] {
  const { work, repo } = setup("excl");
  ok(cli(work, repo, ["backup", ...args]));
  return lines(ok(cli(work, repo, ["ls", "LAST"])).stdout);
}

const SOURCE = {
  "main.c": "",
  "main.o": "",
  "Photo.JPG": "",
  "photo.jpg": "",
  "notes.txt": "",
  "build/out.bin": "",
  "src/build": "a file named build",
  "src/lib/util.o": "",
  "src/lib/keep.o": "",
  "docs/a b.md": "",
  "docs/tmp/x": "",
};

test("--exclude and --iexclude: unanchored names at any depth, a trailing slash for directories, ! to re-include", () => {
  const data = tree(SOURCE);
  expect(backedUp(["--exclude", "*.o", "--exclude", "!keep.o", "--exclude", "build/", "--iexclude", "*.jpg", "--exclude", "docs/tmp", data])).toEqual([
    "data/",
    "data/docs/",
    "data/docs/a b.md",
    "data/main.c",
    "data/notes.txt",
    "data/src/",
    "data/src/build",
    "data/src/lib/",
    "data/src/lib/keep.o",
  ]);
});

test("patterns are matched against absolute paths: a leading / anchors at the root, a middle slash matches any suffix", () => {
  const data = tree(SOURCE);
  // Anchored: only the top `build` directory under this exact path, not src/build.
  expect(backedUp(["--exclude", `${data}/build`, "--exclude", "lib/*.o", "--exclude", "/main.c", data])).toEqual([
    "data/",
    "data/Photo.JPG",
    "data/docs/",
    "data/docs/a b.md",
    "data/docs/tmp/",
    "data/docs/tmp/x",
    "data/main.c", // `/main.c` is /main.c on this machine, not under data
    "data/main.o",
    "data/notes.txt",
    "data/photo.jpg",
    "data/src/",
    "data/src/build",
    "data/src/lib/",
  ]);
});

test("--exclude-file and --iexclude-file read gitignore syntax: comments, blank lines, escapes and trailing spaces", () => {
  const data = tree({ ...SOURCE, "#notes": "", "trail ": "" });
  const dir = tempDir("excl-files");
  const file = path.join(dir, "excludes");
  fs.writeFileSync(file, "# object files\n*.o\n\n\\#notes\ntrail\\ \nnotes.txt   \n");
  const ifile = path.join(dir, "iexcludes");
  fs.writeFileSync(ifile, "*.JpG\r\nDOCS/\r\n");
  expect(backedUp(["--exclude-file", file, "--iexclude-file", ifile, data])).toEqual(["data/", "data/build/", "data/build/out.bin", "data/main.c", "data/src/", "data/src/build", "data/src/lib/"]);
});

test(".backpakignore files apply to their directory and below, deeper ones winning, anchored where they are", () => {
  const data = tree({
    ...SOURCE,
    ".backpakignore": "*.o\n/notes.txt\n",
    "src/.backpakignore": "!*.o\n/build\n",
    "src/lib/.backpakignore": "util.o\n",
    "docs/.backpakignore": "tmp/\n",
    "docs/tmp/notes.txt": "",
  });
  expect(backedUp([data])).toEqual([
    "data/",
    "data/.backpakignore",
    "data/Photo.JPG",
    "data/build/",
    "data/build/out.bin",
    "data/docs/",
    "data/docs/.backpakignore",
    "data/docs/a b.md",
    "data/main.c",
    "data/photo.jpg",
    "data/src/",
    "data/src/.backpakignore",
    "data/src/lib/",
    "data/src/lib/.backpakignore",
    "data/src/lib/keep.o",
  ]);
});

test("a .backpakignore wins over --exclude: its ! re-includes what the command line left out", () => {
  const data = tree({ "a.c": "", "main.c": "", "sub/.backpakignore": "!*.c\n", "sub/b.c": "" });
  fs.writeFileSync(path.join(data, ".backpakignore"), "!main.c\n");
  expect(backedUp(["--exclude", "*.c", data])).toEqual(["data/", "data/.backpakignore", "data/main.c", "data/sub/", "data/sub/.backpakignore", "data/sub/b.c"]);
});

test("an excluded directory is not read: a name in it that would stop the backup doesn't", () => {
  const data = tree({ "ok.txt": "", "bad/": "" });
  fs.writeFileSync(Buffer.concat([Buffer.from(path.join(data, "bad")), Buffer.from("/\xff\xfe", "latin1")]), "");
  const { work, repo } = setup("excl-unread");
  expect(errorReport(fails(cli(work, repo, ["backup", data])))).toContain("(non-UTF-8 name (bytes fffe))");
  ok(cli(work, repo, ["backup", "--exclude", "bad/", data]));
  expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout)).toEqual(["data/", "data/ok.txt"]);
  // Nor is one left out by a marker file in it, though its entries had to be listed to find the marker.
  fs.writeFileSync(path.join(data, "bad", ".nobackup"), "");
  ok(cli(work, repo, ["backup", "--exclude-if-present", ".nobackup", data]));
  expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout)).toEqual(["data/", "data/ok.txt"]);
});

test("--exclude-if-present and --exclude-caches leave out the directories that hold the marker or a valid tag", () => {
  const data = tree({
    "a/f": "",
    "a/.nobackup": "",
    "b/f": "",
    "cache/CACHEDIR.TAG": CACHEDIR_TAG,
    "cache/blob": "",
    "fake-cache/CACHEDIR.TAG": "not the signature\n",
    "fake-cache/blob": "",
    "dir-cache/CACHEDIR.TAG/": "",
  });
  expect(backedUp(["--exclude-if-present", ".nobackup", "--exclude-caches", data])).toEqual([
    "data/",
    "data/b/",
    "data/b/f",
    "data/dir-cache/",
    "data/dir-cache/CACHEDIR.TAG/",
    "data/fake-cache/",
    "data/fake-cache/CACHEDIR.TAG",
    "data/fake-cache/blob",
  ]);
});

test("--files-from adds the paths it lists (comments and blank lines skipped) to those given", () => {
  const a = tree({ "x.txt": "", "y.o": "" });
  const b = path.join(tempDir("excl-other"), "other");
  fs.mkdirSync(b);
  fs.writeFileSync(path.join(b, "z"), "");
  const list = path.join(tempDir("excl-list"), "paths");
  fs.writeFileSync(list, `# what to back up\n\n${b}\n`);
  expect(backedUp(["--files-from", list, "--exclude", "*.o", a])).toEqual(["data/", "data/x.txt", "other/", "other/z"]);
  expect(backedUp(["--files-from", list])).toEqual(["other/", "other/z"]);
});

test("long exclude files and --files-from lists are not limited by the size of a job slot", () => {
  const data = tree({ "keep.txt": "", "drop.tmp": "" });
  const dir = tempDir("excl-long");
  const patterns = Array.from({ length: 3000 }, (_, i) => `never-matches-anything-${i}.tmp`);
  fs.writeFileSync(path.join(dir, "excludes"), [...patterns, "*.tmp"].join("\n"));
  const files = Array.from({ length: 600 }, (_, i) => path.join(dir, `a-file-listed-in-files-from-${i}`));
  for (const f of files) fs.writeFileSync(f, "");
  fs.writeFileSync(path.join(dir, "paths"), files.join("\n"));
  const listed = backedUp(["--exclude-file", path.join(dir, "excludes"), "--files-from", path.join(dir, "paths"), data]);
  expect(listed.length).toBe(602);
  expect(listed).toContain("data/keep.txt");
  expect(listed).not.toContain("data/drop.tmp");
});

test("the config's [backup] keys exclude as the flags do, and the flags add to them", () => {
  const data = tree({ ...SOURCE, "c/CACHEDIR.TAG": CACHEDIR_TAG, "m/.nobackup": "", "m/f": "" });
  const cfgDir = tempDir("excl-cfg");
  fs.writeFileSync(path.join(cfgDir, "more-excludes"), "notes.txt\n");
  const config = path.join(cfgDir, "backpak.toml");
  fs.writeFileSync(
    config,
    '[backup]\nexcludes = ["*.o", "build/"]\niexcludes = ["*.JPG"]\nexclude_files = ["more-excludes"]\nexclude_if_present = [".nobackup"]\nexclude_caches = true\none_file_system = true\n',
  );
  const { work, repo } = setup("excl-cfg");
  ok(run(["-C", work, "--config", config, "-r", repo, "backup", "--exclude", "docs", data]));
  expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout)).toEqual(["data/", "data/main.c", "data/src/", "data/src/build", "data/src/lib/"]);
});

test.skipIf(!canMount)("-x (or one_file_system in the config) keeps a directory on another filesystem, empty", () => {
  const data = tree({ "f": "", "mnt/": "" });
  withSmallDisk("excl-tmpfs", 1, (disk) => {
    // A mount point inside the tree: bind the tmpfs there.
    const mnt = path.join(data, "mnt");
    expect(Bun.spawnSync(["mount", "--bind", disk, mnt]).exitCode).toBe(0);
    try {
      fs.writeFileSync(path.join(mnt, "on-tmpfs"), "");
      expect(backedUp([data])).toEqual(["data/", "data/f", "data/mnt/", "data/mnt/on-tmpfs"]);
      expect(backedUp(["-x", data])).toEqual(["data/", "data/f", "data/mnt/"]);
      expect(backedUp(["--one-file-system", mnt])).toEqual(["mnt/", "mnt/on-tmpfs"]);
      const config = path.join(tempDir("excl-x-cfg"), "backpak.toml");
      fs.writeFileSync(config, "[backup]\none_file_system = true\n");
      const { work, repo } = setup("excl-x-cfg");
      ok(run(["-C", work, "--config", config, "-r", repo, "backup", data]));
      expect(lines(ok(cli(work, repo, ["ls", "LAST"])).stdout)).toEqual(["data/", "data/f", "data/mnt/"]);
    } finally {
      Bun.spawnSync(["umount", mnt]);
    }
  });
});

/** Runs a backup that must be refused as a usage error; returns its error report, after checking nothing was written. */
function refused(args: readonly string[]): string {
  const { work, repo } = setup("excl-bad");
  const r = fails(cli(work, repo, ["backup", ...args]));
  expect(r.code).toBe(2);
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
  expect(entriesIn(work)).toEqual([]);
  return errorReport(r);
}

test("bad input: a malformed glob, a missing exclude file or --files-from file, exit 2 naming it, nothing written", () => {
  const data = tree({ "f": "" });
  expect(refused(["--exclude", "[a-", data])).toContain('Bad glob "[a-": a [ is never closed by ] (from --exclude)');
  expect(refused(["--iexclude", "x\\", data])).toContain('Bad glob "x\\\\": it ends in a backslash (from --iexclude)');
  expect(refused(["--exclude", "[[:nope:]]", data])).toContain("[:nope:] is not a character class");
  const file = path.join(tempDir("excl-badfile"), "excludes");
  fs.writeFileSync(file, "*.o\n\nfoo[\n");
  expect(refused(["--exclude-file", file, data])).toContain(`Bad glob "foo[": a [ is never closed by ] (from --exclude-file ${file}, line 3)`);
  const missing = path.join(tempDir("excl-missing"), "nope");
  expect(refused(["--exclude-file", missing, data])).toContain(`Couldn't read --exclude-file ${missing}`);
  expect(refused(["--iexclude-file", missing, data])).toContain(`Couldn't read --iexclude-file ${missing}`);
  expect(refused(["--files-from", missing, data])).toContain(`Couldn't read --files-from ${missing}`);
  expect(refused([])).toContain("No paths to back up");
});

test("a malformed or unreadable .backpakignore stops the backup before anything is written, naming the file (and line)", () => {
  const data = tree({ "f": "", "sub/.backpakignore": "ok\n[z\n" });
  const { work, repo } = setup("excl-badignore");
  const r = fails(cli(work, repo, ["backup", data]));
  expect(errorReport(r)).toContain(`Bad glob "[z": a [ is never closed by ] (${data}/sub/.backpakignore, line 2)`);
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
  expect(entriesIn(work)).toEqual([]);
  // One that can't be read (here a directory) is named, with the reason.
  fs.rmSync(path.join(data, "sub/.backpakignore"));
  fs.mkdirSync(path.join(data, "sub/.backpakignore"));
  expect(errorReport(fails(cli(work, repo, ["backup", data])))).toContain(`Couldn't read ${data}/sub/.backpakignore: EISDIR`);
  expect(entriesIn(repo)).toEqual(EMPTY_REPO);
});
