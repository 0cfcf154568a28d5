/**
 * A chunk pack that is missing or damaged breaks only the files that need it: restore writes every
 * other file, names each one it couldn't and the pack, and fails; check names every snapshot and
 * path that needs the pack.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { catJson, cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, ok, tempDir, type RunResult } from "./harness.ts";

cleanUpAfterThisFile();

interface IndexJson {
  packs: Record<string, { type: "chunk" | "tree" }[]>;
}

/** Ten 1.6 MB files in small packs (about 4 MiB: a pack ends at a frame's end), backed up twice (two snapshots of the same data); returns a chunk pack. */
function backedUp(label: string) {
  const work = tempDir(`${label}-work`);
  const repo = path.join(work, "repo");
  ok(cli(work, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
  const data = tempDir(`${label}-data`);
  fs.mkdirSync(path.join(data, "sub"));
  for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(data, i < 5 ? "" : "sub", `f${i}`), randomBytes(60 + i, 1_600_000));
  ok(cli(work, repo, ["backup", data]));
  ok(cli(work, repo, ["backup", "--allow-repeat", data]));
  const indexes = fs.readdirSync(path.join(repo, "indexes")).map((f) => f.replace(/\.index$/, ""));
  const packs = Object.assign({}, ...indexes.map((i) => (catJson(work, repo, ["index", i]) as IndexJson).packs)) as IndexJson["packs"];
  const chunkPacks = Object.keys(packs)
    .filter((p) => packs[p]!.every((e) => e.type === "chunk"))
    .sort();
  expect(chunkPacks.length).toBeGreaterThanOrEqual(3);
  const snapshots = fs.readdirSync(path.join(repo, "snapshots")).map((f) => f.replace(/\.snapshot$/, ""));
  expect(snapshots.length).toBe(2);
  return { work, repo, data, pack: chunkPacks[1]!, packFile: path.join(repo, "packs", `${chunkPacks[1]!}.pack`), snapshots };
}

/** The destinations a failed restore says it couldn't restore, each with the pack it names. */
function unrestored(r: RunResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of errorReport(r).matchAll(/Couldn't restore (\S+), which needs pack (\S+)/g)) out.set(m[1]!, m[2]!);
  return out;
}

/** The paths check says snapshot `id` can't be restored without `pack`. */
function namedByCheck(r: RunResult, id: string, pack: string): string[] {
  const out: string[] = [];
  for (const m of errorReport(r).matchAll(/Snapshot (\S+): (\S+) needs broken pack (\S+)/g)) if (m[1] === id && m[3] === pack) out.push(m[2]!);
  return out.sort();
}

/** Restores LAST into a fresh directory; checks every file there is complete and each missing one is named. Returns the named ones (relative). */
function restoreAllBut(work: string, repo: string, data: string, pack: string, label: string): string[] {
  const out = tempDir(label);
  const r = fails(cli(work, repo, ["restore", "--output", out, "LAST"]));
  const missing = unrestored(r);
  for (const p of missing.values()) expect(p).toBe(pack);
  const wanted = contentsOf(data);
  const got = contentsOf(out);
  const named = [...missing.keys()].map((p) => path.relative(out, p)).sort();
  // Every file is either restored whole or named; nothing half-written or temporary is left.
  for (const name of Object.keys(wanted)) {
    if (named.includes(name)) expect(got[name]).toBeUndefined();
    else expect(got[name]).toBe(wanted[name]!);
  }
  expect(Object.keys(got).filter((n) => !(n in wanted))).toEqual([]);
  expect(named.length).toBeGreaterThan(0);
  expect(named.length).toBeLessThan(Object.keys(wanted).length - 1);
  expect(errorReport(r)).toContain(`Restored everything but ${named.length} file`);
  return named;
}

test("a missing pack: restore writes every other file and names the ones it couldn't; check names the snapshots and paths", () => {
  const { work, repo, data, pack, packFile, snapshots } = backedUp("missing-pack");
  fs.rmSync(packFile);
  const named = restoreAllBut(work, repo, data, pack, "missing-pack-out");

  for (const args of [["check"], ["check", "--read-packs"]]) {
    const check = fails(cli(work, repo, args));
    for (const id of snapshots) expect(namedByCheck(check, id, pack)).toEqual(named.map((n) => `${path.basename(data)}/${n}`));
  }
});

test("a damaged pack: restore writes every other file and names the ones it couldn't; check --read-packs names the snapshots and paths", () => {
  const { work, repo, data, pack, packFile, snapshots } = backedUp("damaged-pack");
  const bytes = fs.readFileSync(packFile);
  bytes[Math.floor(bytes.length / 3)]! ^= 0x40;
  fs.writeFileSync(packFile, bytes);
  const named = restoreAllBut(work, repo, data, pack, "damaged-pack-out");

  const check = fails(cli(work, repo, ["check", "--read-packs"]));
  for (const id of snapshots) {
    // Pack-level: every file with a blob in the pack, which covers those restore couldn't write.
    const users = namedByCheck(check, id, pack);
    for (const n of named) expect(users).toContain(`${path.basename(data)}/${n}`);
  }
});
