/**
 * Seeded corruption campaign against the compiled binary: backs up a seeded tree twice (small
 * packs), then for each round damages one object of a fresh copy of that repository (a pack's blob
 * stream, manifest or length, an index, a snapshot, or config.toml; a flipped bit, a truncation,
 * a zeroed range or appended junk, at a seeded place), runs `check --read-packs` and restores
 * every snapshot. Every damage must be detected by check, naming the object, and no restore may
 * write a wrong byte. config.toml isn't hashed: a damage that leaves it other valid settings can't
 * be told from an edit, so it is listed apart (with its seed), not failed. Prints the counts and
 * every case that failed, with the seed that repeats it.
 *
 *   bun scripts/stress-corrupt.ts [--rounds 20] [--seed 1]
 *
 * Round i uses seed + i; `--seed N --rounds 1` repeats case N. Exits 1 if any case failed.
 */
import fs from "node:fs";
import path from "node:path";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { parseRepoConfig, parseRepoConfigKeys } from "../src/format/repo-config.ts";
import { catJson, cli, contentsOf, errorReport, objectIds, ok, tempDir } from "../test/e2e/harness.ts";
import { DAMAGES, damageFile, packRegions, wholeFile, type Damage, type Region } from "../test/helpers/damage.ts";
import { prng, randomBytes } from "../test/helpers/random.ts";
import { text } from "../test/fixtures/src-tree.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "20" }, seed: { type: "string", default: "1" } } });
const rounds = Number(values.rounds);
const firstSeed = Number(values.seed);

/** Writes a seeded tree of text and random files in three directories under `root`. */
function seededTree(root: string, seed: number): void {
  const rand = prng(seed);
  for (let i = 0; i < 10; i++) {
    const dir = path.join(root, ["", "docs", "docs/old", "media"][rand() % 4]!);
    fs.mkdirSync(dir, { recursive: true });
    const size = 1 + (rand() % 900_000);
    fs.writeFileSync(path.join(dir, `f${i}`), i % 2 === 0 ? text(seed * 100 + i, size) : randomBytes(seed * 100 + i, size));
  }
}

/**
 * Fixes the times of everything under `root`, the access time in the future so that reading
 * doesn't move it (relatime): the trees backed up are then the same on every run.
 */
function fixTimes(root: string): void {
  for (const rel of ["", ...fs.readdirSync(root, { recursive: true, encoding: "utf8" })]) {
    fs.utimesSync(path.join(root, rel), new Date("2100-01-01T00:00:00Z"), new Date("2024-01-01T00:00:00Z"));
  }
}

/** The base repository: two snapshots of the tree (the second after a change), with their expected contents, and its tree packs. */
function baseRepository(): { repo: string; snapshots: Map<string, Record<string, string>>; treePacks: Set<string> } {
  const work = tempDir("stress-corrupt-work");
  const repo = path.join(work, "repo");
  const data = path.join(tempDir("stress-corrupt-data"), "data");
  seededTree(data, 7);
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
  const snapshots = new Map<string, Record<string, string>>();
  // Fixed times and one worker (packs then end at the same places), so a seed repeats its case:
  // the same packs and indexes, and snapshots that differ only by the temporary directory's path.
  const backup = (time: string): void => void ok(cli(work, repo, ["backup", "--time", time, data], { env: { BACKPAK_WORKERS: "1" } }));
  fixTimes(data);
  backup("2024-01-01T00:00:00Z");
  snapshots.set(objectIds(repo, "snapshots")[0]!, contentsOf(data));
  fs.writeFileSync(path.join(data, "new.txt"), text(99, 50_000));
  fixTimes(data);
  backup("2024-01-02T00:00:00Z");
  snapshots.set(objectIds(repo, "snapshots").find((s) => !snapshots.has(s))!, contentsOf(data));
  const treePacks = new Set<string>();
  for (const index of objectIds(repo, "indexes")) {
    const { packs } = catJson(work, repo, ["index", index]) as { packs: Record<string, { type: string }[]> };
    for (const [pack, manifest] of Object.entries(packs)) if (manifest.every((e) => e.type === "tree")) treePacks.add(pack);
  }
  return { repo, snapshots, treePacks };
}

/** One corruption to make: the file (relative to the repository), the name errors must give, and where. */
interface Case {
  readonly file: string;
  readonly named: string;
  /** Whether plain `check` (without --read-packs) reads the object, so must name it too. */
  readonly plainCheckReads: boolean;
  readonly damage: Damage;
  readonly region: Region;
  readonly opts: { at: number; span: number; bit: number };
}

const FOLDERS = { pack: "packs", index: "indexes", snapshot: "snapshots" } as const;

/** Picks an object kind, an object, a damage and a place in it, from `seed` alone. */
function pickCase(repo: string, treePacks: ReadonlySet<string>, seed: number): Case {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rand() % xs.length]!;
  const kind = pick(["pack", "index", "snapshot", "config"] as const);
  let file: string;
  let named: string;
  let region: Region;
  if (kind === "config") {
    file = "config.toml";
    named = file;
    region = wholeFile(path.join(repo, file));
  } else {
    const folder = FOLDERS[kind];
    const id = pick(objectIds(repo, folder));
    file = `${folder}/${id}.${kind}`;
    named = id;
    region = wholeFile(path.join(repo, file));
    if (kind === "pack") {
      const parts = packRegions(fs.readFileSync(path.join(repo, file)));
      region = pick([pick(parts.frames), parts.manifest, parts.trailer]);
    }
  }
  const at = region.start + (rand() % (region.end - region.start));
  const plainCheckReads = kind !== "pack" || treePacks.has(named);
  return { file, named, plainCheckReads, damage: pick(DAMAGES), region, opts: { at, span: 1 + (rand() % 64), bit: rand() % 8 } };
}

/**
 * How a damaged config.toml reads, since it isn't hashed: the same settings (a dropped last
 * newline, say: no damage), other valid settings (nothing can tell those from an edit), or
 * invalid ones, which every command must report.
 */
function configChange(before: string, after: string): { kind: "same" | "invalid" } | { kind: "other"; now: string } {
  let now;
  try {
    const parsed = parseRepoConfigKeys(after, "after");
    if (parsed.ignored.length > 0) return { kind: "invalid" };
    now = parsed.config;
  } catch {
    return { kind: "invalid" };
  }
  return isDeepStrictEqual(parseRepoConfig(before, "before"), now) ? { kind: "same" } : { kind: "other", now: JSON.stringify(now) };
}

/** Every file restored into `out` is as backed up, and nothing else is there. */
function wrongBytes(out: string, want: Record<string, string>): string[] {
  return Object.entries(contentsOf(out))
    .filter(([name, hash]) => want[name] !== hash)
    .map(([name]) => name);
}

const base = baseRepository();
const counts = { made: 0, detected: 0, sameConfig: 0, otherConfig: 0, plainReads: 0, plainNamed: 0, restoresRefused: 0, restoresWhole: 0 };
/** Config changes to other valid settings, which no check can detect. */
const undetectable: string[] = [];
const failures: string[] = [];
for (let i = 0; i < rounds; i++) {
  const seed = firstSeed + i;
  const work = tempDir("stress-corrupt-case");
  const repo = path.join(work, "repo");
  fs.cpSync(base.repo, repo, { recursive: true });
  const c = pickCase(repo, base.treePacks, seed);
  const target = path.join(repo, c.file);
  const before = fs.readFileSync(target);
  const did = `${c.file}: ${damageFile(target, c.damage, c.region, c.opts)}`;
  if (before.equals(fs.readFileSync(target))) {
    console.log(`seed ${seed}: ${did} changed nothing; skipped`);
    fs.rmSync(work, { recursive: true });
    continue;
  }
  counts.made++;
  /** Whether `check <args>` fails naming the damaged object; a failure is recorded when it doesn't. */
  const names = (args: string[]): boolean => {
    const r = cli(work, repo, args);
    if (r.code !== 0 && errorReport(r).includes(c.named)) return true;
    failures.push(`seed ${seed}: ${did}: ${args.join(" ")} ${r.code === 0 ? "passed" : `didn't name ${c.named}:\n${errorReport(r)}`}`);
    return false;
  };
  const change = c.file === "config.toml" ? configChange(before.toString(), fs.readFileSync(target, "utf8")) : undefined;
  if (change?.kind === "same") counts.sameConfig++;
  else if (change?.kind === "other") {
    counts.otherConfig++;
    undetectable.push(`seed ${seed}: ${did}: now reads as ${change.now}`);
  } else {
    if (names(["check", "--read-packs"])) counts.detected++;
    if (c.plainCheckReads) {
      counts.plainReads++;
      if (names(["check"])) counts.plainNamed++;
    }
  }

  for (const [id, want] of base.snapshots) {
    const out = path.join(work, `out-${id}`);
    const restore = cli(work, repo, ["restore", "--output", out, id]);
    if (restore.code !== 0) counts.restoresRefused++;
    else counts.restoresWhole++;
    const wrong = fs.existsSync(out) ? wrongBytes(out, want) : [];
    if (restore.code === 0 && !isDeepStrictEqual(contentsOf(out), want)) failures.push(`seed ${seed}: ${did}: restore of ${id} passed but left files out`);
    if (wrong.length > 0) failures.push(`seed ${seed}: ${did}: restore of ${id} wrote wrong bytes: ${wrong.join(", ")}`);
    const refusal = errorReport(restore);
    if (restore.code !== 0 && !(/\nHint: \S/.test(refusal) && (refusal.includes(c.named) || refusal.includes("Couldn't restore ")))) {
      failures.push(`seed ${seed}: ${did}: restore of ${id} failed without naming ${c.named} or the files it couldn't restore, and a hint:\n${refusal}`);
    }
  }
  console.log(`seed ${seed}: ${did}`);
  fs.rmSync(work, { recursive: true });
}

console.log(
  `\n${counts.made} corruptions made; ${counts.detected} detected by check --read-packs naming the object; ` +
    `${counts.sameConfig} config.toml changes that kept its meaning; ${counts.otherConfig} that made other valid settings ` +
    `(config.toml isn't hashed, so nothing can tell those from an edit; listed below); ${failures.length} failures\n` +
    `check without --read-packs named ${counts.plainNamed} of the ${counts.plainReads} damaged objects it reads (indexes, snapshots, config.toml, tree packs)\n` +
    `restores: ${counts.restoresRefused} refused, ${counts.restoresWhole} complete (the damage wasn't in their way), every file written checked byte for byte`,
);
for (const u of undetectable) console.log(`\nUNDETECTABLE ${u}`);
for (const f of failures) console.log(`\nFAILED ${f}`);
process.exit(failures.length > 0 ? 1 : 0);
