/**
 * Remote benchmark: backs up and then restores the same tree with dist/backpak into a filesystem
 * repository, an S3 repository on a local s3rver and an SFTP repository on a local sshd (runs
 * interleaved: fs, s3, sftp, fs, …), each run on a fresh repository, with a fresh cache for its
 * backup and another for its restore (so the restore reads what the server holds), and the restore
 * compared with the tree; prints a markdown table of medians, MB/s, peak RSS and the requests each
 * command reported at -v. Run with `npm run bench:remote -- --help`.
 */
import fs from "node:fs";
import path from "node:path";
import { linuxTree, regularFiles } from "./bench-peers/corpus.ts";
import { runBenchmark } from "./bench-peers/cli.ts";
import { StepFailed, timed } from "./bench-peers/measure.ts";
import { commit, ensureBinary, machine, sameTree, sh, warm } from "./bench-peers/system.ts";
import { privateEnv, type Command } from "./bench-peers/tools.ts";
import { parseRemoteOptions, USAGE, type RemoteOptions } from "./bench-remote/options.ts";
import { freshRepository, KINDS, type Kind } from "./bench-remote/repositories.ts";
import { requestsIn } from "./bench-remote/requests.ts";
import { startServers, type Servers } from "./bench-remote/servers.ts";
import { RemoteResults, renderTable, targetLine, type Step } from "./bench-remote/table.ts";

const ROOT = path.resolve(import.meta.dir, "..");

/** One run of one repository kind: init, a timed backup of the tree, a timed restore of it, and the comparison. */
async function runOnce(o: RemoteOptions, tree: string, servers: Servers, kind: Kind, run: number, results: RemoteResults): Promise<void> {
  const work = path.join(o.dir, "remote-work", `${kind}-run${run}`);
  fs.rmSync(work, { recursive: true, force: true });
  const scratch = path.join(work, "scratch");
  fs.mkdirSync(scratch, { recursive: true });
  const restoreDir = path.join(work, "restored");
  const repo = freshRepository(kind, servers, run, work);
  const logs = path.join(o.dir, "logs", "remote");
  fs.mkdirSync(logs, { recursive: true });
  const log = (what: string): string => path.join(logs, `${kind}-run${run}-${what}.log`);
  const backpak = (...args: string[]): Command => ({ cmd: [o.bin, "-v", "-C", scratch, "--config", "", "-r", repo.location, ...args] });
  // Each command gets a home of its own, so the restore starts with an empty cache, as on a new machine.
  const env = (who: string): Record<string, string> => privateEnv(path.join(work, who), repo.env);
  const step = async (name: Step | "init", c: Command): Promise<void> => {
    try {
      const s = await timed(c, env(name), log(name));
      if (name === "init") return;
      const requests = requestsIn(log(name));
      results.add(kind, name, s, requests);
      console.error(`  run ${run} ${kind} ${name}: ${s.seconds.toFixed(2)} s, ${s.rssMiB.toFixed(0)} MiB, requests ${JSON.stringify(requests)}`);
    } catch (e) {
      if (!(e instanceof StepFailed)) throw e;
      results.fail(kind, name === "init" ? "backup" : name);
      console.error(`FAILED: run ${run} ${kind} ${name}, ${e.message}`);
      throw e;
    }
  };
  try {
    await step("init", backpak(...repo.init));
    warm(tree);
    await step("backup", backpak("backup", tree));
    await step("restore", backpak("restore", "--times", "--permissions", "--output", restoreDir, "LAST"));
    const same = sameTree(tree, restoreDir, log("restore-diff"));
    if (!same) console.error(`  ${kind}'s restore differs from the tree: see ${log("restore-diff")}`);
    results.restored(kind, same);
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
  } finally {
    repo.remove();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The total size of the regular files under `tree`, which MB/s divides. */
function treeBytes(tree: string, files: string[]): number {
  return files.reduce((sum, f) => sum + fs.lstatSync(path.join(tree, f)).size, 0);
}

let servers: Servers | undefined;

async function main(o: RemoteOptions): Promise<void> {
  ensureBinary(o.bin, o.defaultBin, ROOT);
  if (o.tree !== undefined && !fs.statSync(o.tree, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`--tree ${o.tree} is not a directory; give a directory to back up`);
  }
  fs.mkdirSync(o.dir, { recursive: true });
  const tree = o.tree ?? linuxTree(o.dir);
  const files = regularFiles(tree);
  const results = new RemoteResults(treeBytes(tree, files));
  const workRoot = path.join(o.dir, "remote-work");
  fs.rmSync(workRoot, { recursive: true, force: true });
  servers = await startServers(path.join(workRoot, "s3rver"));
  try {
    for (let run = 1; run <= o.runs; run++) {
      for (const kind of KINDS) await runOnce(o, tree, servers, kind, run, results);
    }
  } finally {
    await servers.stop();
    servers = undefined;
    fs.rmSync(workRoot, { recursive: true, force: true });
  }
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const s3rver = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/s3rver/package.json"), "utf8")) as { version: string }).version;
  const openssh = Bun.spawnSync(["ssh", "-V"], { stderr: "pipe" }).stderr.toString().split(",")[0]!.trim();
  const text = [
    `Remote benchmark, ${date}, commit ${commit(ROOT)}`,
    "",
    `- machine: ${machine()}; Bun ${Bun.version}`,
    `- ${sh([o.bin, "--version"], { quiet: true }).trim()}; s3: s3rver ${s3rver} on 127.0.0.1 (path-style, 4 connections); sftp: ${openssh} sshd on 127.0.0.1 (internal-sftp)`,
    `- tree: ${tree}, ${files.length.toLocaleString("en-US")} files, ${(results.treeBytes / 1e6).toFixed(1)} MB (MB = 10^6 bytes)`,
    `- medians of ${o.runs} run(s), interleaved fs, s3, sftp; each on a fresh repository, its backup and its restore each with an empty cache; restores with --times --permissions, compared with the tree`,
    "",
    renderTable(results),
    "",
    targetLine(results),
    "",
  ].join("\n");
  const file = path.join(o.dir, `remote-${date.replace(/:/g, "-")}.md`);
  fs.writeFileSync(file, text);
  console.log(text);
  console.error(`written to ${file}; logs in ${path.join(o.dir, "logs", "remote")}`);
}

await runBenchmark("bench:remote", USAGE, (argv) => parseRemoteOptions(argv, ROOT), main, () => void servers?.stop());
