/**
 * Times backup's pre-flight scan (the walk that applies excludes) over a generated tree of empty
 * files, without excludes, with 20 typical patterns, and with 20 that match nothing (the cost of
 * matching alone), runs interleaved, and prints the medians.
 * Run with `bun scripts/bench-walk.ts` (options: --files N, 100,000 by default; --runs N, 5).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NO_EXCLUDES, type ExcludeSpec } from "../src/fs/excludes.ts";
import { startBackupPool } from "../src/pipeline/pipeline-setup.ts";
import { ScanJob } from "../src/pipeline/scan-log.ts";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const FILES = opt("files", 100_000);
const RUNS = opt("runs", 5);

const PATTERNS = [
  "*.o", "*.tmp", "*.pyc", "*.swp", "*.bak", "*.class", "__pycache__/", "node_modules", ".cache/", "build/",
  "dist/", "coverage/", ".git/", "[Tt]humbs.db", ".DS_Store", "**/target/**", "/nowhere/at/all", "vendor/**/test", "*.log", "!keep.log",
];
const EXTS = ["c", "h", "txt", "o", "log", "md", "json", "bak"];

/** 100 files a directory, 10 directories a level, names and extensions from a fixed sequence. */
function makeTree(root: string): void {
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(root, `d${Math.floor(i / 10_000)}`, `s${Math.floor(i / 1000) % 10}`, `t${Math.floor(i / 100) % 10}`);
    if (i % 100 === 0) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.${EXTS[(i * 7) % EXTS.length]}`), "");
  }
}

async function scanSeconds(pool: ReturnType<typeof startBackupPool>, root: string, excludes: ExcludeSpec): Promise<{ seconds: number; files: number }> {
  const start = performance.now();
  const scan = new ScanJob(pool.pool, [root], { dereference: false, skips: [], excludes }, 0, pool.inputBytes, tmp);
  (await scan.finish()).close();
  return { seconds: (performance.now() - start) / 1000, files: scan.files };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "backpak-bench-walk-"));
const pool = startBackupPool();
try {
  makeTree(path.join(tmp, "tree"));
  const spec = (patterns: readonly string[]): ExcludeSpec => ({ ...NO_EXCLUDES, patterns: patterns.map((pattern) => ({ pattern, ignoreCase: false, source: "bench" })) });
  const cases = { "no excludes": NO_EXCLUDES, "20 patterns": spec(PATTERNS), "20 patterns matching nothing": spec(PATTERNS.map((p) => `zz${p}`)) };
  const times: Record<string, number[]> = {};
  const kept: Record<string, number> = {};
  await scanSeconds(pool, path.join(tmp, "tree"), NO_EXCLUDES); // warm the page cache
  for (let r = 0; r < RUNS; r++) {
    for (const [name, spec] of Object.entries(cases)) {
      const { seconds, files } = await scanSeconds(pool, path.join(tmp, "tree"), spec);
      (times[name] ??= []).push(seconds);
      kept[name] = files;
    }
  }
  console.log(`\nScan of ${FILES.toLocaleString("en")} files, median of ${RUNS} runs\n`);
  console.log("| excludes | seconds | files kept |\n|---|---|---|");
  for (const [name, ts] of Object.entries(times)) console.log(`| ${name} | ${median(ts).toFixed(3)} | ${kept[name]!.toLocaleString("en")} |`);
} finally {
  pool.pool.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
