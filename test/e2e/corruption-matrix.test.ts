/**
 * Every kind of object damaged three ways (a flipped bit, a truncation, a zeroed range): `check`
 * names each damaged object it reads, `check --read-packs` names damaged packs and blobs and every
 * snapshot and path that uses them, and `restore` fails naming what it couldn't restore, never
 * writing a wrong byte. Every failure ends with a hint saying what to do.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { damageFile, packRegions, wholeFile, type Damage, type PackRegions, type Region } from "../helpers/damage.ts";
import { randomBytes } from "../helpers/random.ts";
import { catJson, cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, objectIds, ok, tempDir, type RunResult } from "./harness.ts";

cleanUpAfterThisFile();

interface IndexJson {
  packs: Record<string, { type: "chunk" | "tree"; id: string }[]>;
}

/**
 * One backup of `a.bin` and `b.bin` (2.5 MB each, random) and `sub/notes.txt`: a chunk pack of two
 * frames (a.bin and b.bin's first chunk; b.bin's second chunk and notes.txt), a tree pack, an
 * index and a snapshot. Made once; each test damages its own copy.
 */
const base = (() => {
  const work = tempDir("matrix-work");
  const repo = path.join(work, "repo");
  const data = path.join(tempDir("matrix-data"), "data");
  fs.mkdirSync(path.join(data, "sub"), { recursive: true });
  fs.writeFileSync(path.join(data, "a.bin"), randomBytes(21, 2_500_000));
  fs.writeFileSync(path.join(data, "b.bin"), randomBytes(22, 2_500_000));
  fs.writeFileSync(path.join(data, "sub", "notes.txt"), "the last chunk of the pack\n");
  ok(cli(work, repo, ["init", "filesystem"]));
  ok(cli(work, repo, ["backup", data]));
  const [index] = objectIds(repo, "indexes");
  const [snapshot] = objectIds(repo, "snapshots");
  const packs = (catJson(work, repo, ["index", index!]) as IndexJson).packs;
  const packOf = (type: "chunk" | "tree"): string => Object.keys(packs).find((p) => packs[p]!.every((e) => e.type === type))!;
  return { repo, data, index: index!, snapshot: snapshot!, chunkPack: packOf("chunk"), treePack: packOf("tree") };
})();

/** A fresh copy of the base repository and an empty working directory. */
function copy(label: string): { work: string; repo: string } {
  const work = tempDir(`${label}-work`);
  const repo = path.join(work, "repo");
  fs.cpSync(base.repo, repo, { recursive: true });
  return { work, repo };
}

const packPath = (repo: string, id: string): string => path.join(repo, "packs", `${id}.pack`);

/** A place to damage: the file, the region in it, the name errors must give, what check's hint says to do, and whether plain `check` reads it. */
interface Target {
  readonly what: string;
  readonly file: (repo: string) => string;
  readonly region: (file: string) => Region;
  readonly named: string;
  readonly hint: string;
  /** What plain `check`'s hint says, when it differs. */
  readonly plainHint?: string;
  readonly checkReadsIt: boolean;
  /** A pack whose blobs restore can't read (check and restore name the paths that need them). */
  readonly pack?: string;
}

const PACK_HINT = "put back good copies of the broken packs";

/** A part of the chunk pack: check and restore name it and the files whose chunks it holds. */
const chunkPackPart = (what: string, part: (regions: PackRegions) => Region): Target => ({
  what,
  file: (r) => packPath(r, base.chunkPack),
  region: (f) => part(packRegions(fs.readFileSync(f))),
  named: base.chunkPack,
  hint: PACK_HINT,
  checkReadsIt: false,
  pack: base.chunkPack,
});

const TARGETS: readonly Target[] = [
  chunkPackPart("a chunk's frame in a pack", (p) => p.frames.at(-1)!),
  {
    what: "a tree's frame in a pack",
    file: (r) => packPath(r, base.treePack),
    region: (f) => packRegions(fs.readFileSync(f)).frames[0]!,
    named: base.treePack,
    hint: PACK_HINT,
    plainHint: "`backpak check --read-packs` reads every pack",
    checkReadsIt: true,
  },
  chunkPackPart("a pack's manifest", (p) => p.manifest),
  chunkPackPart("a pack's manifest length", (p) => p.trailer),
  { what: "an index", file: (r) => path.join(r, "indexes", `${base.index}.index`), region: wholeFile, named: `indexes/${base.index}.index`, hint: "`backpak rebuild-index`", checkReadsIt: true },
  { what: "a snapshot", file: (r) => path.join(r, "snapshots", `${base.snapshot}.snapshot`), region: wholeFile, named: `snapshots/${base.snapshot}.snapshot`, hint: `\`backpak forget ${base.snapshot}\``, checkReadsIt: true },
  { what: "config.toml", file: (r) => path.join(r, "config.toml"), region: wholeFile, named: "config.toml", hint: "mend it by hand", checkReadsIt: true },
];

const THREE_WAYS: readonly Damage[] = ["flip", "truncate", "zero"];

/** Fails, naming `named`, with a hint. */
function failsNaming(r: RunResult, named: string): string {
  const report = errorReport(fails(r));
  expect(report).toContain(named);
  expect(report).toMatch(/\nHint: \S/);
  return report;
}

/** The paths (`data/a.bin`) check says snapshot `id` can't be restored without a damaged pack. */
function namedByCheck(report: string, id: string): string[] {
  const out = new Set<string>();
  for (const m of report.matchAll(/Snapshot (\S+): (\S+) needs (?:broken|damaged) /g)) if (m[1] === id) out.add(m[2]!);
  return [...out].sort();
}

/** The paths (`data/a.bin`) restore into `out` says it couldn't restore. */
function namedByRestore(report: string, out: string): string[] {
  const found = new Set<string>();
  for (const m of report.matchAll(/Couldn't restore (\S+?)(?:,|$)/gm)) found.add(path.join("data", path.relative(out, m[1]!)));
  return [...found].sort();
}

/** Every file restored holds exactly what was backed up; nothing else is there. */
function noWrongBytes(out: string): void {
  const want = contentsOf(base.data);
  const got = contentsOf(out);
  for (const [name, hash] of Object.entries(got)) expect([name, hash]).toEqual([name, want[name]!]);
}

for (const target of TARGETS) {
  for (const damage of THREE_WAYS) {
    test(`${target.what}, ${damage}: check and check --read-packs name it, restore refuses it`, () => {
      const { work, repo } = copy("matrix");
      const file = target.file(repo);
      damageFile(file, damage, target.region(file));

      if (target.checkReadsIt) expect(failsNaming(cli(work, repo, ["check"]), target.named)).toContain(target.plainHint ?? target.hint);
      const check = failsNaming(cli(work, repo, ["check", "--read-packs"]), target.named);
      expect(check).toContain(target.hint);

      const out = tempDir("matrix-out");
      const restore = failsNaming(cli(work, repo, ["restore", "--output", out, base.snapshot]), target.pack ?? target.named);
      noWrongBytes(out);

      if (target.pack !== undefined) {
        // Restore writes every file it can and names the others; check names exactly those.
        // Plain check reads no packs, so it's --read-packs that finds a damaged one.
        expect(restore).toContain("Hint: `backpak check --read-packs` names every snapshot and path");
        const lost = namedByRestore(restore, out);
        expect(lost.length).toBeGreaterThan(0);
        const written = Object.keys(contentsOf(out)).filter((n) => !n.endsWith("/"));
        expect([...written.map((n) => `data/${n}`), ...lost].sort()).toEqual(["data/a.bin", "data/b.bin", "data/sub/notes.txt"]);
        expect(namedByCheck(check, base.snapshot)).toEqual(lost);
        // A damaged frame costs the blobs in it, which check lists; a pack that can't be read, all of them.
        expect(check).toMatch(new RegExp(`Pack ${target.pack}: (none of its 5 blobs can be read|[1-4] of its 5 blobs can't be read: \\S)`));
      } else if (target.named !== "config.toml") {
        expect(check).toContain(base.snapshot);
      }
      // A tree that can't be read: restore names the snapshot whose trees it couldn't load.
      if (target.named === base.treePack) expect(restore).toContain(`Error: Couldn't load the trees of snapshot ${base.snapshot}`);
    });
  }
}

for (const damage of [...THREE_WAYS, "lost"] as const) {
  test(`rebuild-index recovers from an index ${damage === "lost" ? "lost" : `damaged (${damage})`}: check --read-packs passes and the snapshot restores byte for byte`, () => {
    const { work, repo } = copy("rebuild");
    const file = path.join(repo, "indexes", `${base.index}.index`);
    if (damage === "lost") fs.rmSync(file);
    else damageFile(file, damage, wholeFile(file));
    const check = failsNaming(cli(work, repo, ["check"]), damage === "lost" ? base.snapshot : `indexes/${base.index}.index`);
    expect(check).toContain("`backpak rebuild-index`");

    ok(cli(work, repo, ["rebuild-index"]));
    expect(objectIds(repo, "indexes")).toHaveLength(1);
    ok(cli(work, repo, ["check", "--read-packs"]));
    const out = tempDir("rebuild-out");
    ok(cli(work, repo, ["restore", "--output", out, base.snapshot]));
    expect(contentsOf(out)).toEqual(contentsOf(base.data));
  });
}

test("a bit flipped in a config.toml key, which leaves it unknown (and its setting at the default): commands warn naming it, check fails naming it", () => {
  const { work, repo } = copy("config-key");
  const file = path.join(repo, "config.toml");
  const textBefore = fs.readFileSync(file, "utf8");
  // Ignored, "pack_sizu" would silently make 100 MB packs.
  fs.writeFileSync(file, textBefore.replace("pack_size", "pack_sizu"));
  const warning = `${file}: unknown key pack_sizu is ignored (misspelt or damaged?)`;
  expect(ok(cli(work, repo, ["snapshots"])).stderr).toContain(`WARN ${warning}`);
  for (const args of [["check"], ["check", "--read-packs"]]) {
    const report = failsNaming(cli(work, repo, args), `ERROR ${warning}`);
    expect(report).toContain("mend the config file by hand");
  }
});
