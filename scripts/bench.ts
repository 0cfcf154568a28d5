/**
 * Benchmarks on this machine: throughput of each kernel (FastCDC in WASM and JS, SHA-224, zstd at
 * several levels) and of the whole pipeline (backup, no-change backup, restore of a generated
 * tree) as medians of several runs. Run with `npm run bench` (options: --runs N, --mib N).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_PACK_SIZE } from "../src/format/repo-config.ts";
import { BACKPAK_CDC, createChunker, type CdcKernelKind } from "../src/kernels/fastcdc/index.ts";
import { NO_EXCLUDES } from "../src/fs/excludes.ts";
import { backup } from "../src/ops/backup.ts";
import { restore } from "../src/ops/restore.ts";
import { openRepositoryWith } from "../src/cli/backends.ts";
import { DEFAULT_CACHE_SIZE } from "../src/format/user-config.ts";
import { initFilesystemRepository } from "../src/repo/repository.ts";
import { sha224 } from "../src/kernels/sha224.ts";
import { zstdCompress, zstdDecompress } from "../src/kernels/zstd.ts";

const argv = process.argv.slice(2);
const openRepository = (dir: string) => openRepositoryWith(dir, { cacheSize: DEFAULT_CACHE_SIZE });
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const RUNS = opt("runs", 5);
const MIB = opt("mib", 128);

/** Seeded bytes: `random` is incompressible, `text` compresses like source code. */
function generate(kind: "random" | "text", size: number): Uint8Array {
  const out = new Uint8Array(size);
  let s = 0x9e3779b9;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  if (kind === "random") {
    const w = new Uint32Array(out.buffer, 0, size >>> 2);
    for (let i = 0; i < w.length; i++) w[i] = next();
    return out;
  }
  const words = ["static", "int", "struct", "return", "if", "else", "for", "(", ")", "{", "}", ";", "->", "unsigned", "long", "*", "=", "==", "0", "1", "NULL", "\n", "\t", "/* */", "#define"];
  const enc = new TextEncoder();
  const bytes = words.map((w) => enc.encode(w + " "));
  for (let off = 0; off < size; ) {
    const b = bytes[next() % bytes.length]!;
    out.set(b.subarray(0, Math.min(b.length, size - off)), off);
    off += b.length;
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** MB/s of `fn` over `bytes` input bytes: median of RUNS runs after one warm-up. */
function measure(bytes: number, fn: () => void): number {
  fn();
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    rates.push(bytes / 1e6 / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

const rows: [string, string, number][] = [];
const random = generate("random", MIB << 20);
const text = generate("text", MIB << 20);

for (const kind of ["wasm", "js"] as CdcKernelKind[]) {
  const chunker = createChunker(kind, BACKPAK_CDC);
  rows.push([`FastCDC (${kind})`, "random", measure(random.length, () => void (chunker.push(random), chunker.finish()))]);
}
rows.push(["SHA-224", "random", measure(random.length, () => void sha224(random))]);
const FRAME = 4 << 20;
for (const level of [1, 3, 6]) {
  rows.push([`zstd level ${level}, 4 MiB frames`, "text", measure(text.length, () => {
    for (let off = 0; off < text.length; off += FRAME) zstdCompress(text.subarray(off, off + FRAME), level);
  })]);
}
const frames: Uint8Array[] = [];
for (let off = 0; off < text.length; off += FRAME) frames.push(zstdCompress(text.subarray(off, off + FRAME), 3));
rows.push(["zstd decompress, 4 MiB frames", "text", measure(text.length, () => {
  for (const f of frames) zstdDecompress(f, "bench frame", { atMost: FRAME });
})]);

console.log(`Kernels, one core, ${MIB} MiB inputs, median of ${RUNS} runs (Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores)\n`);
console.log("| kernel | data | MB/s |\n|---|---|---|");
for (const [name, data, rate] of rows) console.log(`| ${name} | ${data} | ${rate.toFixed(0)} |`);

/** A tree like source code: many small text files, some larger ones, a few incompressible blobs. */
function generateTree(dir: string, bytes: number): number {
  let total = 0;
  for (let i = 0; total < bytes; i++) {
    const sub = path.join(dir, `d${i % 37}`, `e${i % 11}`);
    fs.mkdirSync(sub, { recursive: true });
    const size = i % 50 === 0 ? 3 << 20 : 2_000 + ((i * 7919) % 40_000);
    const src = i % 10 === 0 ? random : text;
    const off = (i * 1_048_573) % (src.length - size);
    fs.writeFileSync(path.join(sub, `f${i}`), src.subarray(off, off + size));
    total += size;
  }
  return total;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "backpak-bench-"));
try {
  const data = path.join(tmp, "data");
  const dataBytes = generateTree(data, (MIB * 2) << 20);
  const quiet = { paths: [data], dereference: false, skips: [], excludes: NO_EXCLUDES, author: "bench", tags: [], dryRun: false, allowEmpty: false, allowRepeat: true, repositoryExists: true, skipUnreadable: false, scratchDir: tmp };
  const times: Record<string, number[]> = { "backup (new data)": [], "backup (no change)": [], restore: [] };
  for (let r = 0; r < RUNS; r++) {
    const repoDir = path.join(tmp, `repo${r}`);
    initFilesystemRepository(repoDir, { packSize: DEFAULT_PACK_SIZE, backend: { type: "Filesystem", forceCache: false } });
    const timed = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
      const t0 = performance.now();
      await fn();
      times[name]!.push((performance.now() - t0) / 1000);
    };
    await timed("backup (new data)", () => backup(async () => openRepository(repoDir), quiet));
    await timed("backup (no change)", () => backup(async () => openRepository(repoDir), quiet));
    const noop = async (): Promise<void> => {};
    const report = { added: noop, removed: noop, contentsChanged: noop, metadataChanged: noop };
    await timed("restore", () => restore(openRepository(repoDir), { snapshot: "LAST", output: path.join(tmp, `out${r}`), dryRun: false, delete: false, times: false, permissions: false, report }));
    fs.rmSync(repoDir, { recursive: true, force: true });
    fs.rmSync(path.join(tmp, `out${r}`), { recursive: true, force: true });
  }
  console.log(`\nPipeline, ${(dataBytes / 1e6).toFixed(0)} MB generated tree, ${navigator.hardwareConcurrency} workers, median of ${RUNS} runs\n`);
  console.log("| operation | seconds | MB/s |\n|---|---|---|");
  for (const [name, ts] of Object.entries(times)) console.log(`| ${name} | ${median(ts).toFixed(2)} | ${(dataBytes / 1e6 / median(ts)).toFixed(0)} |`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
