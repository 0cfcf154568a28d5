/**
 * Peer benchmark: backs up and restores the same corpora with this project's binary, restic and
 * borg (initial, no-change and incremental backups, restore to disk and, as root, to a tmpfs) and
 * prints a markdown table of medians, peak RSS and ratios. Run with `npm run bench:peers -- --help`.
 */
import fs from "node:fs";
import path from "node:path";
import { copyCorpus, mutate, prepareCorpus, type Corpus } from "./bench-peers/corpus.ts";
import { runBenchmark } from "./bench-peers/cli.ts";
import { StepFailed, timed } from "./bench-peers/measure.ts";
import { parseOptions, USAGE, type Options, type ToolName } from "./bench-peers/options.ts";
import { commit, duMiB, ensureBinary, isRoot, machine, mountTmpfs, sameTree, unmount, unmountAll, warm } from "./bench-peers/system.ts";
import { Results, renderTable, type Op } from "./bench-peers/table.ts";
import { ensureTool, makeTool, type Command } from "./bench-peers/tools.ts";

const ROOT = path.resolve(import.meta.dir, "..");

/** One run of one tool on a fresh copy of the corpus and a fresh repository, recording into `results`. */
async function runOnce(o: Options, corpus: Corpus, name: ToolName, run: number, results: Results): Promise<void> {
  const work = path.join(o.dir, "work");
  unmount(work);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  if (o.mem && !mountTmpfs(work, Math.ceil(corpus.mib * 4 + 1024))) throw new Error(`could not mount a tmpfs at ${work} for --mem`);
  const dirs = { bin: o.bin, repo: path.join(work, "repo"), src: path.join(work, "src"), scratch: path.join(work, "scratch") };
  const restoreDir = path.join(work, "restore");
  fs.mkdirSync(dirs.scratch);
  fs.mkdirSync(restoreDir);
  copyCorpus(corpus, dirs.src);
  warm(dirs.src);
  const tool = makeTool(name, dirs);
  const logs = path.join(o.dir, "logs", corpus.name);
  fs.mkdirSync(logs, { recursive: true });
  const log = (what: string): string => path.join(logs, `${name}-run${run}-${what.replace(/\W+/g, "-")}.log`);
  const step = async (op: Op | "init", c: Command): Promise<void> => {
    try {
      const s = await timed(c, tool.env, log(op));
      if (op !== "init") results.add(name, op, s);
      console.error(`  ${corpus.name} run ${run} ${name} ${op}: ${s.seconds.toFixed(2)} s, ${s.rssMiB.toFixed(0)} MiB`);
    } catch (e) {
      if (!(e instanceof StepFailed)) throw e;
      results.fail(name, op === "init" ? "initial" : op);
      console.error(`FAILED: ${corpus.name} run ${run} ${name} ${op}, ${e.message}`);
      throw e;
    }
  };
  try {
    await step("init", tool.init);
    await step("initial", tool.backup(1));
    await step("nochange", tool.backup(2));
    mutate(dirs.src, corpus);
    warm(dirs.src);
    await step("incremental", tool.backup(3));
    results.sized(name, duMiB(dirs.repo));
    await step("restore", tool.restore(restoreDir));
    let same = sameTree(dirs.src, tool.restored(restoreDir), log("restore-diff"));
    const memDir = path.join(work, "mem");
    if (!o.mem && isRoot() && mountTmpfs(memDir, Math.ceil(corpus.mib * 2 + 512))) {
      await step("restore (tmpfs)", tool.restore(memDir));
      same = sameTree(dirs.src, tool.restored(memDir), log("restore-tmpfs-diff")) && same;
      unmount(memDir);
    }
    if (!same) console.error(`  ${name}'s restore differs from the source: see ${log("restore-diff")}`);
    results.restored(name, same);
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
  }
}

async function main(o: Options): Promise<void> {
  if (o.mem && !isRoot()) throw new Error("--mem mounts a tmpfs, which needs root");
  ensureBinary(o.bin, o.defaultBin, ROOT);
  const versions = o.tools.map((t) => ensureTool(t, o.bin));
  fs.mkdirSync(o.dir, { recursive: true });
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const out: string[] = [
    `Peer benchmark, ${date}, commit ${commit(ROOT)}`,
    "",
    `- machine: ${machine()}; Bun ${Bun.version}`,
    `- tools: ${versions.join("; ")}`,
    `- ${o.mem ? "everything (source, repositories, restores) in a tmpfs" : "on disk"}, medians of ${o.runs} run(s), runs interleaved across tools; cells are wall seconds (peak RSS MiB)`,
  ];
  for (const name of o.corpora) {
    const corpus = prepareCorpus(name, o.dir, o.files);
    const results = new Results(o.tools);
    for (let run = 1; run <= o.runs; run++) {
      for (const tool of o.tools) await runOnce(o, corpus, tool, run, results);
    }
    out.push("", `Corpus ${name}: ${corpus.files.toLocaleString("en-US")} files, ${corpus.mib.toFixed(0)} MiB`, "", renderTable(results));
  }
  const text = out.join("\n") + "\n";
  const file = path.join(o.dir, `peers-${date.replace(/:/g, "-")}.md`);
  fs.writeFileSync(file, text);
  console.log(text);
  console.error(`written to ${file}`);
  fs.rmSync(path.join(o.dir, "work"), { recursive: true, force: true });
}

await runBenchmark("bench:peers", USAGE, (argv) => parseOptions(argv, ROOT), main, unmountAll);
