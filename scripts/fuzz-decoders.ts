/**
 * Seeded mutation fuzzing of the decoders: valid CBOR, pack, index, tree and snapshot bytes (made
 * with the project's encoders) are mutated and decoded; only the project's typed errors may come
 * out. Each kind runs in a worker watched from here: an input that runs past the hang limit is
 * reported and the worker replaced, the campaign going on after it. Prints inputs tried per kind
 * and every failure, slow input or memory growth with the seed that replays it.
 *
 *   bun scripts/fuzz-decoders.ts [--count 100000] [--seed 1] [--kinds tree,pack] [--budget-ms 100]
 *   bun scripts/fuzz-decoders.ts --replay <kind>:<input seed>
 */
import { parseArgs } from "node:util";
import { inputSeed, tryInput, type Finding, type KindResult } from "./fuzz/campaign.ts";
import { KINDS, type Kind } from "./fuzz/targets.ts";
import type { WorkerRequest } from "./fuzz/worker.ts";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "100000" },
    seed: { type: "string", default: "1" },
    kinds: { type: "string", default: KINDS.join(",") },
    "budget-ms": { type: "string", default: "100" },
    "hang-ms": { type: "string", default: "10000" },
    "rss-mib": { type: "string", default: "256" },
    replay: { type: "string" },
  },
});

const isKind = (k: string): k is Kind => (KINDS as readonly string[]).includes(k);

if (values.replay !== undefined) {
  const [kind, seed] = values.replay.split(":");
  if (!kind || !isKind(kind) || seed === undefined) throw new Error(`--replay wants <kind>:<seed>, kind one of ${KINDS.join(", ")}`);
  console.log(tryInput(kind, Number(seed)) ?? "ok: decoded, or refused with a typed error");
  process.exit(0);
}

const kinds = values.kinds.split(",").map((k) => {
  if (!isKind(k)) throw new Error(`unknown kind ${k}; kinds are ${KINDS.join(", ")}`);
  return k;
});
const base = { seed: Number(values.seed), count: Number(values.count), budgetMs: Number(values["budget-ms"]), rssBoundBytes: Number(values["rss-mib"]) * 2 ** 20 };
const hangMs = Number(values["hang-ms"]);

/** Runs inputs [from, count) of `kind` in a fresh worker; resolves with its result, or with the input that hung. */
function runInWorker(kind: Kind, from: number): Promise<{ result: KindResult } | { hung: number }> {
  const progress = new SharedArrayBuffer(8);
  const cells = new Int32Array(progress);
  const worker = new Worker(new URL("./fuzz/worker.ts", import.meta.url).href);
  return new Promise((resolve, reject) => {
    let seen = -1;
    const watch = setInterval(() => {
      const started = Atomics.load(cells, 1);
      if (started !== seen) {
        seen = started;
        return;
      }
      clearInterval(watch);
      void worker.terminate();
      resolve({ hung: Atomics.load(cells, 0) });
    }, hangMs);
    worker.onmessage = (e: MessageEvent<KindResult>) => {
      clearInterval(watch);
      void worker.terminate();
      resolve({ result: e.data });
    };
    worker.onerror = (e) => {
      clearInterval(watch);
      reject(new Error(`the ${kind} worker died: ${e.message}`));
    };
    const request: WorkerRequest = { ...base, kind, from, progress };
    worker.postMessage(request);
  });
}

let bad = 0;
/** Prints findings, at most `limit` of them (slow inputs are mostly pauses of the collector or the machine). */
const print = (label: string, findings: readonly Finding[], limit = Infinity): void => {
  for (const f of findings.slice(0, limit)) console.log(`  ${label} ${f.kind} input seed ${f.seed} (replay: --replay ${f.kind}:${f.seed}): ${f.what}`);
  if (findings.length > limit) console.log(`  … and ${findings.length - limit} more ${label}`);
};
console.log(`Fuzzing decoders: ${base.count} inputs per kind, seed ${base.seed}, budget ${base.budgetMs} ms per input`);
for (const kind of kinds) {
  const total: KindResult = { kind, tried: 0, failures: [], slow: [], memory: [], elapsedMs: 0 };
  const hung: Finding[] = [];
  for (let from = 0; from < base.count; ) {
    const t0 = performance.now();
    const outcome = await runInWorker(kind, from);
    if ("hung" in outcome) {
      hung.push({ kind, seed: inputSeed(base.seed, kind, outcome.hung), what: `still running after ${hangMs} ms` });
      total.tried += outcome.hung - from + 1;
      total.elapsedMs += performance.now() - t0;
      from = outcome.hung + 1;
      continue;
    }
    const r = outcome.result;
    total.tried += r.tried;
    total.failures.push(...r.failures);
    total.slow.push(...r.slow);
    total.memory.push(...r.memory);
    total.elapsedMs += r.elapsedMs;
    break;
  }
  bad += total.failures.length + hung.length + total.memory.length;
  console.log(`${kind}: ${total.tried} inputs in ${(total.elapsedMs / 1000).toFixed(1)} s, ${total.failures.length} failures, ${hung.length} hangs, ${total.slow.length} slow, ${total.memory.length} memory`);
  print("FAIL", total.failures);
  print("HANG", hung);
  print("MEMORY", total.memory);
  print("slow", total.slow, 10);
}
process.exit(bad > 0 ? 1 : 0);
