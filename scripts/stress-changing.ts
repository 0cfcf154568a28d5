/**
 * Seeded stress run of files changing while backup reads them (issue 10, item 6): each run backs
 * up a small tree with dist/backpak while $BACKPAK_READ_HOOK grows, shrinks, rewrites, replaces,
 * deletes, retypes or keeps changing one file at a random block of its read (or deletes it before
 * it is opened), with a random size and worker count; then checks that the backup completed with
 * the right exit status and a warning naming the file, that `check --read-packs` passes, and that
 * a restore holds exactly one expected version of the file (or none). Prints one line per failure
 * and "N runs (runs per kind): N ok, N failed".
 *
 *   bun scripts/stress-changing.ts [--runs N] [--seed S]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { prng, randomBytes } from "../test/helpers/random.ts";

const BIN = path.resolve(import.meta.dir, "..", "dist", "backpak");
const MiB = 1 << 20;
const BLOCK = 4 * MiB;
const KINDS = ["grow", "shrink", "rewrite", "replace", "delete", "to-dir", "vanish", "restless"] as const;
type Kind = (typeof KINDS)[number];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} takes a whole number`);
  return value;
}

interface Plan {
  readonly kind: Kind;
  readonly size: number;
  readonly block: number;
  readonly workers: number;
}

function plan(seed: number): Plan {
  const next = prng(seed);
  const kind = KINDS[next() % KINDS.length]!;
  // A third of the files fit in one chunk (≤ 512 KiB); the others span up to four read blocks.
  const size = next() % 3 === 0 ? 1 + (next() % (512 * 1024)) : 1 + (next() % (13 * MiB));
  const block = next() % (Math.ceil(size / BLOCK) + 1);
  return { kind, size, block, workers: 1 + (next() % 2) };
}

/** The shell command that makes the change, with $F the file and $N a file holding its new version. */
const SCRIPTS: Record<Kind, string> = {
  grow: 'head -c 1000 "$N" >> "$F"',
  shrink: 'truncate -s "$SHRUNK" "$F"',
  rewrite: 'dd if="$N" of="$F" conv=notrunc bs=1M status=none',
  replace: 'mv "$N" "$F"',
  delete: 'rm "$F"',
  "to-dir": 'rm "$F" && mkdir "$F"',
  vanish: 'rm "$F"',
  restless: 'printf x >> "$F"',
};

function backpak(args: string[], env: Record<string, string> = {}): { code: number; stdout: Uint8Array; stderr: string } {
  const r = Bun.spawnSync({ cmd: [BIN, "--config", "", ...args], env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode ?? -1, stdout: new Uint8Array(r.stdout), stderr: r.stderr.toString() };
}

/** Runs one seeded case in `root`; returns what went wrong, or undefined. */
function runCase(root: string, seed: number, p: Plan): string | undefined {
  const [repo, work, data, spare, out] = ["repo", "work", "data", "spare", "out"].map((d) => path.join(root, d)) as [string, string, string, string, string];
  for (const d of [repo, work, data, spare]) fs.mkdirSync(d);
  const old = randomBytes(seed, p.size);
  const fresh = randomBytes(seed + 1, p.size);
  const file = path.join(data, "changing.bin");
  fs.writeFileSync(path.join(data, "a-first.txt"), "read first");
  fs.writeFileSync(file, old);
  fs.writeFileSync(path.join(data, "steady.txt"), "steady");
  fs.writeFileSync(path.join(spare, "new.bin"), fresh);
  const shrunk = Math.floor(p.size / 3);
  const expected: Record<Kind, Uint8Array | undefined> = {
    grow: Buffer.concat([old, fresh.subarray(0, 1000)]),
    shrink: old.subarray(0, shrunk),
    rewrite: fresh,
    replace: fresh,
    delete: undefined,
    "to-dir": undefined,
    vanish: undefined,
    // Each of three reads sees the file grow by a byte; the last read stops where it was opened.
    restless: Buffer.concat([old, Buffer.from("xx")]),
  };
  const hook = {
    file: p.kind === "vanish" ? path.join(data, "a-first.txt") : file,
    block: p.kind === "vanish" ? 0 : p.block,
    attempts: p.kind === "restless" ? 3 : 1,
    run: ["sh", "-c", SCRIPTS[p.kind]],
  };
  const env = { BACKPAK_READ_HOOK: JSON.stringify(hook), BACKPAK_WORKERS: String(p.kind === "vanish" ? 1 : p.workers), F: file, N: path.join(spare, "new.bin"), SHRUNK: String(shrunk) };
  if (backpak(["-r", repo, "init", "filesystem"]).code !== 0) return "init failed";
  const b = backpak(["-C", work, "-r", repo, "backup", data], env);
  const want = expected[p.kind];
  if (b.code !== (want ? 0 : 3)) return `backup exited ${b.code}: ${b.stderr.trim().split("\n").slice(-3).join(" | ")}`;
  if (!b.stderr.includes(`WARN ${file} `)) return "no warning names the file";
  const check = backpak(["-C", work, "-r", repo, "check", "--read-packs"]);
  if (check.code !== 0) return `check --read-packs exited ${check.code}: ${check.stderr.trim()}`;
  if (backpak(["-C", work, "-r", repo, "restore", "--output", out, "LAST"]).code !== 0) return "restore failed";
  const restored = path.join(out, "changing.bin");
  if (!want) return fs.existsSync(restored) ? "the file was restored though it was left out" : undefined;
  if (!fs.existsSync(restored)) return "the file is missing from the restore";
  const got = fs.readFileSync(restored);
  if (!got.equals(Buffer.from(want))) return `restored ${got.length} bytes that aren't the expected ${want.length}`;
  return undefined;
}

if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: build it first with node_modules/.bin/bun scripts/build.ts`);
const runs = option("--runs", 48);
const seed = option("--seed", 1);
let failed = 0;
const byKind = new Map<Kind, number>();
for (let i = 0; i < runs; i++) {
  const caseSeed = seed * 1000 + i;
  const p = plan(caseSeed);
  byKind.set(p.kind, (byKind.get(p.kind) ?? 0) + 1);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "backpak-stress-changing-"));
  try {
    const problem = runCase(root, caseSeed, p);
    if (problem) {
      failed++;
      console.log(`FAIL seed ${caseSeed} ${JSON.stringify(p)}: ${problem}`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
const kinds = KINDS.map((k) => `${k} ${byKind.get(k) ?? 0}`).join(", ");
console.log(`${runs} runs (${kinds}): ${runs - failed} ok, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
