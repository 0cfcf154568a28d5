/** Prepares each corpus once in the bench directory (cached across runs), copies it into a run's work dir, and applies the same edits for every tool. */
import fs from "node:fs";
import path from "node:path";
import type { CorpusName } from "./options.ts";
import { writeMany } from "./many.ts";
import { aptInstall, duMiB, sh } from "./system.ts";

export interface Corpus {
  name: CorpusName;
  /** The cached pristine tree; never modified after it is made. */
  dir: string;
  files: number;
  mib: number;
  /** A directory the edits rename, and one they copy (relative to the tree). */
  renameDir: string;
  copyDir: string;
}

const LINUX_TARBALL = "/usr/src/linux-source-6.1.tar.xz";

/** Makes `dir` with `fill(tmp)` in a temporary sibling, so an interrupted run leaves no half-made cache. */
function cached(dir: string, fill: (tmp: string) => void): void {
  if (fs.existsSync(dir)) return;
  const tmp = `${dir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fill(tmp);
  fs.renameSync(tmp, dir);
}

/** The Linux 6.1 source tree, extracted once into the bench directory from Debian's linux-source-6.1 (installed if missing). */
export function linuxTree(benchDir: string): string {
  const dir = path.join(benchDir, "linux-6.1");
  cached(dir, (tmp) => {
    if (!fs.existsSync(LINUX_TARBALL)) aptInstall("linux-source-6.1");
    console.error(`extracting ${LINUX_TARBALL} into ${dir} (once)`);
    sh(["tar", "-xJf", LINUX_TARBALL, "-C", tmp, "--strip-components=1"]);
  });
  return dir;
}

export function prepareCorpus(name: CorpusName, benchDir: string, files: number): Corpus {
  let dir: string;
  if (name === "linux") {
    dir = linuxTree(benchDir);
  } else {
    dir = path.join(benchDir, `many-${files}`);
    cached(dir, (tmp) => {
      console.error(`writing ${files} small files into ${dir} (once)`);
      writeMany(tmp, files);
    });
  }
  const count = Number(sh(["sh", "-c", "find . -type f | wc -l"], { cwd: dir }).trim());
  return name === "linux"
    ? { name, dir, files: count, mib: duMiB(dir), renameDir: "drivers/staging", copyDir: "Documentation" }
    : { name, dir, files: count, mib: duMiB(dir), renameDir: "d00/d01", copyDir: "d00/d00" };
}

/** A fresh copy of the corpus at `dest`, with its times and modes. */
export function copyCorpus(corpus: Corpus, dest: string): void {
  sh(["cp", "-a", corpus.dir, dest]);
}

/** The paths of the regular files under `root`, relative to it. */
export function regularFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const p = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...regularFiles(root, p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const Y2020 = new Date("2020-01-01T00:00:00Z");

/** The same edits for every tool: append to every 37th file, delete every 101st, touch every 53rd, rename one directory, copy another. */
export function mutate(src: string, corpus: Corpus): void {
  const files = regularFiles(src).sort();
  files.forEach((rel, k) => {
    const i = k + 1;
    const p = path.join(src, rel);
    if (i % 37 === 0) fs.appendFileSync(p, `/* edited ${i} */\n`);
    else if (i % 101 === 0) fs.rmSync(p);
    else if (i % 53 === 0) fs.utimesSync(p, Y2020, Y2020);
  });
  const renamed = path.join(src, corpus.renameDir);
  if (fs.existsSync(renamed)) fs.renameSync(renamed, `${renamed}-moved`);
  const copied = path.join(src, corpus.copyDir);
  if (fs.existsSync(copied)) sh(["cp", "-a", copied, `${copied}-copy`]);
}
