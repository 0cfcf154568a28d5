/**
 * Benchmarks on this machine: throughput of each kernel (FastCDC in WASM and JS, SHA-224, zstd at
 * several levels) on generated data, as medians of several runs. Run with `npm run bench`
 * (options: --runs N, --mib N).
 */
import { BACKPAK_CDC, createChunker, type CdcKernelKind } from "../src/kernels/fastcdc/index.ts";
import { sha224 } from "../src/kernels/sha224.ts";
import { zstdCompress, zstdDecompress } from "../src/kernels/zstd.ts";

const argv = process.argv.slice(2);
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
  for (const f of frames) zstdDecompress(f, "bench frame");
})]);

console.log(`Kernels, one core, ${MIB} MiB inputs, median of ${RUNS} runs (Bun ${Bun.version}, ${navigator.hardwareConcurrency} cores)\n`);
console.log("| kernel | data | MB/s |\n|---|---|---|");
for (const [name, data, rate] of rows) console.log(`| ${name} | ${data} | ${rate.toFixed(0)} |`);
