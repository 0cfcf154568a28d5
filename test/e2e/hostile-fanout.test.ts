/**
 * A repository of a few hundred bytes whose trees share subtrees so that one snapshot expands to
 * 2^24 files: ls streams its listing as it walks (a reader that stops after the first megabyte ends
 * it, as `| head` would, with its memory still small); check, `snapshots --sizes` and
 * `--file-sizes`, and usage visit each distinct tree once.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import { craftedRepo, dirNode, fileNode, treeOf, writeSnapshotOf } from "../helpers/craft-repo.ts";
import { BIN, cleanUpAfterThisFile, cli, ok, sandboxEnv } from "./harness.ts";

cleanUpAfterThisFile();

/** Peak resident memory of a running process, in bytes, from /proc. */
function peakRss(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

test("ls of a snapshot expanding to 2^24 files streams with bounded memory; check, sizes, file sizes and usage pass", async () => {
  const { repo, work } = craftedRepo("hostile-fanout");
  const payload = new TextEncoder().encode("x");
  const trees = [treeOf({ f: fileNode([payload]) })];
  for (let level = 0; level < 24; level++) trees.push(treeOf({ a: dirNode(trees.at(-1)!), b: dirNode(trees.at(-1)!) }));
  trees.push(treeOf({ data: dirNode(trees.at(-1)!) }));
  await writeSnapshotOf(repo, ["/backed/up/data"], [payload], trees);

  const proc = Bun.spawn({ cmd: [BIN, "-C", work, "--config", "", "--repository", repo, "ls", "LAST"], env: sandboxEnv(), stdin: "ignore", stdout: "pipe", stderr: "ignore" });
  const reader = proc.stdout.getReader();
  const got: Uint8Array[] = [];
  let bytes = 0;
  while (bytes < 1 << 20) {
    const { value, done } = await reader.read();
    if (done) break;
    got.push(value);
    bytes += value.length;
  }
  const rss = peakRss(proc.pid);
  await reader.cancel();
  expect(await proc.exited).toBe(128 + 13);
  expect(bytes).toBeGreaterThanOrEqual(1 << 20);
  expect(rss).toBeLessThan(512 << 20);
  const first = Buffer.concat(got).toString("utf8").split("\n").slice(0, 4);
  expect(first).toEqual(["data/", "data/a/", "data/a/a/", "data/a/a/a/"]);

  ok(cli(work, repo, ["check", "--read-packs"]));
  // Sizes count every path: 2^24 one-byte files, from trees shared rather than walked path by path.
  expect(ok(cli(work, repo, ["snapshots", "--sizes"])).stdout).toContain("(16.78 MB files");
  // File sizes name the one file that brought the byte, without walking (or keeping) the other paths.
  const deepest = ["data", ...Array<string>(24).fill("a"), "f"].join("/");
  expect(ok(cli(work, repo, ["snapshots", "--file-sizes"])).stdout).toContain(`\n ${deepest} | 1 B new, 0 B reused\n\n`);
  ok(cli(work, repo, ["usage"]));
});
