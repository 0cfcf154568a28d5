/**
 * Seeded stress of storage faults: runs dist/backpak's backup, prune, copy, forget and restore on
 * one evolving filesystem repository, each with one or two random BACKPAK_BACKEND_FAULT rules, and
 * after every run checks what must hold whatever the fault: a failure is a clear error (no crash),
 * both repositories pass `check --read-packs`, no snapshot vanished but the one forgotten, a
 * backup without faults succeeds, and the newest snapshot and a random older one restore byte for
 * byte. Prints a summary line; exits 1 on any violation.
 *
 *   bun scripts/stress-faults.ts [--seed N] [--runs N] [--bin PATH] [--dir PATH]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { prng } from "../test/helpers/random.ts";

const ROOT = path.resolve(import.meta.dir, "..");
const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { seed: { type: "string", default: "1" }, runs: { type: "string", default: "20" }, bin: { type: "string" }, dir: { type: "string" } },
});
const seed = Number(values.seed);
const runs = Number(values.runs);
const bin = values.bin ?? path.join(ROOT, "dist", "backpak");
if (!Number.isInteger(seed) || !Number.isInteger(runs) || runs < 1) throw new Error("--seed and --runs take whole numbers (--runs at least 1)");
if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: build it with \`node_modules/.bin/bun scripts/build.ts\``);

// The tests' seeded generator, so a seed replays the same campaign.
const next = prng(seed);
const random = (): number => next() / 4294967296;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));

const dir = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "backpak-stress-faults-"));
// Every command runs in the same working directory, as a user's would; their scratch state is
// kept per repository (under $HOME/.cache), so a failed copy's WIP index stays with the destination.
const work = path.join(dir, "work");
const src = path.join(dir, "src");
const repo = path.join(dir, "repo");
const dest = path.join(dir, "dest");
for (const d of [work, src]) fs.mkdirSync(d, { recursive: true });

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function backpak(r: string, args: readonly string[], fault?: string): Run {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, TZ: "UTC", ...(fault ? { BACKPAK_BACKEND_FAULT: fault } : {}) };
  const p = Bun.spawnSync({ cmd: [bin, "-C", work, "--config", "", "-r", r, ...args], env, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** A digest of every file under `root` (relative path and bytes). */
function treeDigest(root: string): string {
  const h = new Bun.CryptoHasher("sha256");
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else h.update(`${path.relative(root, p)}\0`).update(fs.readFileSync(p));
    }
  };
  walk(root);
  return h.digest("hex");
}

const listed = (r: string): string[] => [...backpak(r, ["snapshots"]).stdout.matchAll(/^snapshot (\S+)/gm)].map((m) => m[1]!);

/** What each snapshot of `repo` holds, by ID. */
const expected = new Map<string, string>();
const violations: string[] = [];
const stats = { runs: 0, failed: 0, unaffected: 0 };

function violation(step: number, what: string, r?: Run): void {
  violations.push(`step ${step}: ${what}${r ? `\n${r.stderr.trim().split("\n").slice(-8).join("\n")}` : ""}`);
}

/** Rewrites, adds or deletes a file of the source, so the next backup has something new. */
function changeSource(): void {
  const files = fs.readdirSync(src);
  const name = files.length < 3 || random() < 0.6 ? `f${Math.floor(random() * 8)}` : pick(files);
  if (files.includes(name) && random() < 0.2) fs.rmSync(path.join(src, name));
  else fs.writeFileSync(path.join(src, name), randomBytes(64 * 1024 + Math.floor(random() * 1536 * 1024)));
}

/** A backup without faults, which must succeed; records what its snapshot holds. */
function cleanBackup(step: number): void {
  changeSource();
  const before = new Set(listed(repo));
  const r = backpak(repo, ["backup", src]);
  if (r.code !== 0) return violation(step, "a backup without faults failed", r);
  for (const id of listed(repo)) if (!before.has(id)) expected.set(id, treeDigest(src));
}

function restores(step: number, id: string): void {
  const out = path.join(dir, "out");
  fs.rmSync(out, { recursive: true, force: true });
  const r = backpak(repo, ["restore", "--output", out, id]);
  if (r.code !== 0) violation(step, `restoring ${id} failed`, r);
  else if (treeDigest(out) !== expected.get(id)) violation(step, `${id} didn't restore byte for byte`);
  fs.rmSync(out, { recursive: true, force: true });
}

const OPS: Record<string, readonly string[]> = {
  backup: ["put", "list", "read", "openRange"],
  prune: ["put", "remove", "list", "read", "openRange"],
  copy: ["put", "list", "read", "openRange"],
  forget: ["remove", "list", "read"],
  restore: ["read", "openRange", "list"],
};

function randomFault(command: string): string {
  const op = pick(OPS[command]!);
  const kinds = op === "put" || op === "read" || op === "openRange" ? ["EIO", "ENOSPC", "timeout", "lost", "short"] : ["EIO", "ENOSPC", "timeout", "lost"];
  return `${op}:${pick(["packs/", "indexes/", "snapshots/", ""])}:${1 + Math.floor(random() * 3)}:${pick(kinds)}`;
}

backpak(repo, ["init", "--pack-size", "512KiB", "filesystem"]);
backpak(dest, ["init", "--pack-size", "512KiB", "filesystem"]);
cleanBackup(0);
for (let step = 1; step <= runs; step++) {
  const command = pick(["backup", "backup", "prune", "copy", "forget", "restore"]);
  // Storage in trouble often fails more than once in a run: now and then, two rules at once.
  const fault = random() < 0.3 ? `${randomFault(command)},${randomFault(command)}` : randomFault(command);
  const before = listed(repo);
  const target = before.length > 1 ? pick(before.slice(0, -1)) : undefined;
  if (command === "backup") changeSource();
  const args: Record<string, string[]> = {
    backup: ["backup", src],
    prune: ["prune"],
    copy: ["copy", "--all", "--to", dest],
    forget: target ? ["forget", target] : ["forget", "--keep-last", "1000"],
    restore: ["restore", "--output", path.join(dir, "faulted-out"), "LAST"],
  };
  const r = backpak(repo, args[command]!, fault);
  fs.rmSync(path.join(dir, "faulted-out"), { recursive: true, force: true });
  stats.runs++;
  if (r.code === 0) stats.unaffected++;
  else {
    stats.failed++;
    if (!/^Error: /m.test(r.stderr) || /internal error|Maximum call stack|panic/i.test(r.stderr)) violation(step, `${command} with ${fault} failed without a clear error`, r);
  }
  for (const d of [repo, dest]) {
    const c = backpak(d, ["check", "--read-packs"]);
    if (c.code !== 0) violation(step, `check --read-packs of ${path.basename(d)} failed after ${command} with ${fault}`, c);
  }
  const now = new Set(listed(repo));
  for (const id of before) if (!now.has(id) && id !== (command === "forget" ? target : undefined)) violation(step, `${id} vanished after ${command} with ${fault}`);
  for (const id of [...expected.keys()]) if (!now.has(id)) expected.delete(id);
  if (command === "backup" && r.code === 0) for (const id of now) if (!expected.has(id)) expected.set(id, treeDigest(src));
  cleanBackup(step);
  const ids = listed(repo).filter((id) => expected.has(id));
  if (ids.length > 0) {
    restores(step, ids[ids.length - 1]!);
    restores(step, pick(ids));
  }
  console.error(`step ${step}: ${command} with ${fault}: exit ${r.code}`);
}

console.log(`seed ${seed}: ${stats.runs} faulted runs (${stats.failed} failed, ${stats.unaffected} unaffected), ${violations.length} violations`);
for (const v of violations) console.log(v);
if (values.dir === undefined) fs.rmSync(dir, { recursive: true, force: true });
process.exit(violations.length === 0 ? 0 : 1);
