/** Back up a tree of awkward entries, restore it elsewhere with --times --permissions, and find it identical. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BIG_SIZE, describeTree, SYMLINKS, UNICODE_FILE, writeOddTree } from "../fixtures/odd-tree.ts";
import { catJson, cleanUpAfterThisFile, cli, normalize, objectIds, ok, setup, tempDir, withoutAtime } from "./harness.ts";

cleanUpAfterThisFile();

interface TreeJson {
  [name: string]: { chunks?: string[]; tree?: string; symlink?: string };
}
interface IndexJson {
  packs: Record<string, { type: string; length: number; id: string }[]>;
}

test("round trip: bytes, symlinks, modes and nanosecond mtimes survive backup and restore", () => {
  const { work, repo } = setup("roundtrip");
  const tree = writeOddTree(tempDir("roundtrip-src"));
  const before = describeTree(tree);
  ok(cli(work, repo, ["backup", tree]));
  ok(cli(work, repo, ["check", "--read-packs"]));

  // big.bin spans several chunks, within FastCDC's 512 KiB..8 MiB bounds, adding up to the file.
  const snap = catJson(work, repo, ["snapshot", "LAST"]) as { tree: string };
  const top = catJson(work, repo, ["blob", snap.tree]) as TreeJson;
  const rt = catJson(work, repo, ["blob", top.rt!.tree!]) as TreeJson;
  const chunks = rt["big.bin"]!.chunks!;
  expect(chunks.length).toBeGreaterThan(1);
  const lengths = new Map<string, number>();
  for (const id of objectIds(repo, "indexes")) {
    const index = catJson(work, repo, ["index", id]) as IndexJson;
    for (const manifest of Object.values(index.packs)) for (const e of manifest) if (e.type === "chunk") lengths.set(e.id, e.length);
  }
  const sizes = chunks.map((c) => lengths.get(c) ?? -1);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(BIG_SIZE);
  for (const s of sizes.slice(0, -1)) expect(s).toBeGreaterThanOrEqual(512 * 1024);
  for (const s of sizes) expect(s).toBeLessThanOrEqual(8 * 1024 * 1024);
  expect(rt["empty.txt"]!.chunks).toEqual([]);
  expect(rt["empty-dir"]!.tree).toBeDefined();

  // Restore into an empty directory: it takes the snapshot root's place.
  const out = tempDir("roundtrip-out");
  const restoreIt = (): string[] =>
    withoutAtime(normalize(ok(cli(work, repo, ["restore", "--times", "--permissions", "--output", out, "LAST"])).stdout));
  const first = restoreIt();
  for (const rel of before.keys()) {
    if (rel === "") continue;
    const kind = before.get(rel)!.kind;
    const suffix = kind === "dir" ? "/" : kind === "symlink" ? ` -> ${before.get(rel)!.target}` : "";
    expect(first).toContain(`+ ${path.join(out, rel)}${suffix}`);
  }

  const after = describeTree(out);
  const problems: string[] = [];
  for (const [rel, want] of before) {
    const got = after.get(rel);
    if (!got) {
      problems.push(`${rel}: missing`);
      continue;
    }
    if (got.kind !== want.kind) problems.push(`${rel}: ${got.kind}, not ${want.kind}`);
    if (want.kind === "symlink" && got.target !== want.target) problems.push(`${rel}: -> ${got.target}, not ${want.target}`);
    if (want.mode !== undefined && got.mode !== want.mode) problems.push(`${rel}: mode ${got.mode?.toString(8)}, not ${want.mode.toString(8)}`);
    if (want.mtimeNs !== undefined && got.mtimeNs !== want.mtimeNs) problems.push(`${rel}: mtime ${got.mtimeNs} ns, not ${want.mtimeNs} ns`);
    if (want.kind === "file" && !fs.readFileSync(path.join(out, rel)).equals(fs.readFileSync(path.join(tree, rel)))) {
      problems.push(`${rel}: contents differ`);
    }
  }
  for (const rel of after.keys()) if (!before.has(rel)) problems.push(`${rel}: unexpected`);
  expect(problems).toEqual([]);
  expect(fs.readFileSync(path.join(out, UNICODE_FILE), "utf8")).toBe("Ünïcödé contents — 文件 🎉\n");

  // The new symlinks kept the time they were made at (as in backpak), so the next restore only
  // sets their times; after that, restoring again changes nothing.
  expect(restoreIt()).toEqual(SYMLINKS.map(([rel, target]) => `T ${path.join(out, rel)} -> ${target}`));
  expect(restoreIt()).toEqual([]);
  for (const [rel] of SYMLINKS) {
    const got = fs.lstatSync(path.join(out, rel), { bigint: true }).mtimeNs;
    const want = fs.lstatSync(path.join(tree, rel), { bigint: true }).mtimeNs;
    expect(`${rel} ${got}`).toBe(`${rel} ${want}`);
  }
});
