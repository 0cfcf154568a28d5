/** `check --read-packs-subset`: n/m over n = 1…m reads every pack exactly once (so a damaged pack is reported by exactly one of them); N% reads that share. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { catJson, cleanUpAfterThisFile, cli, errorReport, objectIds, ok, randomSourceAndRepo } from "./harness.ts";

cleanUpAfterThisFile();

/** The packs a check read whole, from its debug lines. */
const verified = (stderr: string): string[] => [...stderr.matchAll(/Pack ([0-9a-v]{45}) verified/g)].map((m) => m[1]!);

test("n/m groups partition the packs, and only the group holding a damaged pack reports it", () => {
  const { work, repo, src } = randomSourceAndRepo("subset", 16, 600_000);
  ok(cli(work, repo, ["backup", src]));
  const packs = objectIds(repo, "packs");
  expect(packs.length).toBeGreaterThan(3);

  const m = 3;
  const groups = Array.from({ length: m }, (_, i) => verified(ok(cli(work, repo, ["check", "--read-packs-subset", `${i + 1}/${m}`])).stderr));
  expect(groups.flat().sort()).toEqual(packs);
  // The same groups every time.
  expect(verified(ok(cli(work, repo, ["check", "--read-packs-subset", `2/${m}`])).stderr)).toEqual(groups[1]!);

  // Damage a pack that holds only file data (a tree pack would fail every run's snapshot walk).
  const damaged = packs.find((p) => (catJson(work, repo, ["pack", p]) as { type: string }[]).every((e) => e.type === "chunk"))!;
  const file = path.join(repo, "packs", `${damaged}.pack`);
  const bytes = fs.readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  fs.writeFileSync(file, bytes);
  const runs = Array.from({ length: m }, (_, i) => cli(work, repo, ["check", "--read-packs-subset", `${i + 1}/${m}`]));
  const failed = runs.flatMap((r, i) => (r.code === 0 ? [] : [i]));
  expect(failed).toEqual([groups.findIndex((g) => g.includes(damaged))]);
  expect(errorReport(runs[failed[0]!]!)).toContain(`Pack ${damaged}`);
});

test("N% reads that share of the packs, chosen at random, and bad subsets are usage errors", () => {
  const { work, repo, src } = randomSourceAndRepo("percent", 8, 400_000);
  ok(cli(work, repo, ["backup", src]));
  const packs = objectIds(repo, "packs");
  const half = ok(cli(work, repo, ["check", "--read-packs-subset", "50%"])).stderr;
  expect(half).toContain(`Reading ${Math.round(packs.length / 2)} of ${packs.length} packs`);
  expect(verified(half).length).toBe(Math.round(packs.length / 2));
  expect(verified(ok(cli(work, repo, ["check", "--read-packs-subset", "100%"])).stderr).sort()).toEqual(packs);
  expect(verified(ok(cli(work, repo, ["check", "--read-packs-subset", "0.1%"])).stderr).length).toBe(1);
  for (const bad of ["0/3", "4/3", "0%", "101%", "half", "1/0"]) {
    const r = cli(work, repo, ["check", "--read-packs-subset", bad]);
    expect({ bad, code: r.code }).toEqual({ bad, code: 2 });
    expect(r.stderr).toContain("is not a subset of packs");
  }
  expect(cli(work, repo, ["check", "-r", "--read-packs-subset", "1/2"]).code).toBe(2);
});
