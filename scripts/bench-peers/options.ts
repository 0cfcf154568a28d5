/** Parses the command line of `npm run bench:peers` into options, or prints the usage. */
import path from "node:path";
import { parseArgs } from "node:util";

export const TOOLS = ["ours", "restic", "borg"] as const;
export type ToolName = (typeof TOOLS)[number];
export const CORPORA = ["linux", "many"] as const;
export type CorpusName = (typeof CORPORA)[number];

export interface Options {
  runs: number;
  corpora: CorpusName[];
  tools: ToolName[];
  files: number;
  mem: boolean;
  bin: string;
  /** Whether `bin` is the default one, which is built when missing. */
  defaultBin: boolean;
  dir: string;
}

export const USAGE = `Usage: npm run bench:peers -- [options]

Backs up and restores the same corpus with this project's binary, restic and borg (installed with
apt-get where missing) and prints a markdown table of median wall seconds, peak RSS and ratios.

  --runs N         runs per tool, interleaved (default 3)
  --corpus C       linux, many or both (default both)
                     linux: the Linux 6.1 source tree (Debian's linux-source-6.1)
                     many:  generated small files, 0-8 KiB each, seeded
  --tools LIST     comma-separated subset of ours,restic,borg (default all)
  --files N        file count of the many corpus (default 100000)
  --mem            put source, repositories and restores in a tmpfs (needs root)
  --bin PATH       the backpak binary (default dist/backpak, built if missing)
  --dir PATH       bench directory: corpora cache, work dir, results (default
                   $BENCH_DIR or /tmp/backpak-bench-peers)
  -h, --help       this help

Needs free space for about four copies of the corpus in the bench directory.`;

/** The value of `--NAME` as a whole number of at least 1. */
export function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} wants a positive whole number, not "${text}"`);
  return n;
}

/** The options from `argv`, or undefined when the usage was asked for. */
export function parseOptions(argv: string[], root: string): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string", default: "3" },
      corpus: { type: "string", default: "both" },
      tools: { type: "string", default: TOOLS.join(",") },
      files: { type: "string", default: "100000" },
      mem: { type: "boolean", default: false },
      bin: { type: "string" },
      dir: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return undefined;
  const corpus = values.corpus;
  if (corpus !== "both" && !CORPORA.includes(corpus as CorpusName)) {
    throw new Error(`--corpus is linux, many or both, not "${corpus}"`);
  }
  const tools = values.tools.split(",").map((t) => t.trim()).filter((t) => t !== "");
  for (const t of tools) {
    if (!TOOLS.includes(t as ToolName)) throw new Error(`unknown tool "${t}" in --tools (known: ${TOOLS.join(", ")})`);
  }
  if (tools.length === 0) throw new Error("--tools names no tool");
  return {
    runs: positiveInt("runs", values.runs),
    corpora: corpus === "both" ? [...CORPORA] : [corpus as CorpusName],
    tools: TOOLS.filter((t) => tools.includes(t)),
    files: positiveInt("files", values.files),
    mem: values.mem,
    ...binAndDir(values.bin, values.dir, root),
  };
}

/** A path given on the command line, resolved where the user ran npm (npm runs scripts in the project's root). */
export function userPath(p: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

/** --bin and --dir as given, else their defaults: dist/backpak, and $BENCH_DIR or /tmp/backpak-bench-peers (where corpora are cached). */
export function binAndDir(bin: string | undefined, dir: string | undefined, root: string): Pick<Options, "bin" | "defaultBin" | "dir"> {
  return {
    bin: bin === undefined ? path.join(root, "dist/backpak") : userPath(bin),
    defaultBin: bin === undefined,
    dir: userPath(dir ?? process.env.BENCH_DIR ?? "/tmp/backpak-bench-peers"),
  };
}
