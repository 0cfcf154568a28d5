/**
 * A repository laid out as backpak 0.3.0 writes it (each pack's blobs in one streamed zstd frame
 * without a content size, a legacy version-1 snapshot beside a version-2 one) reads back through
 * the binary: listing, check --read-packs, restore and dump.
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BACKPAK_REPO_TIME, writeBackpakRepo } from "../helpers/backpak-written-repo.ts";
import { cleanUpAfterThisFile, cli, lines, ok, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("a backpak-written repository: one-frame packs and a version-1 snapshot", async () => {
  const repo = tempDir("bprepo");
  const { big, chunkPack } = await writeBackpakRepo(repo);
  expect(chunkPack.manifest.length).toBeGreaterThan(2);

  const work = tempDir("bprepo-work");
  expect(lines(ok(cli(work, repo, ["snapshots"])).stdout).filter((l) => l.startsWith("snapshot ")).length).toBe(2);
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(lines(ok(cli(work, repo, ["ls", "LAST~1"])).stdout)).toEqual(["data/", "data/a.txt", "data/big.bin", "data/empty", "data/link -> a.txt", "data/sub/", "data/sub/c.txt"]);
  expect(Buffer.from(ok(cli(work, repo, ["dump", "LAST", "data/big.bin"])).stdoutBytes).equals(Buffer.from(big))).toBe(true);
  const out = tempDir("bprepo-out");
  ok(cli(work, repo, ["restore", "--output", out, "--times", "LAST"]));
  expect(Buffer.from(fs.readFileSync(path.join(out, "big.bin"))).equals(Buffer.from(big))).toBe(true);
  expect(fs.readFileSync(path.join(out, "sub", "c.txt"), "utf8")).toBe("small file\n");
  expect(fs.statSync(path.join(out, "empty")).size).toBe(0);
  expect(fs.readlinkSync(path.join(out, "link"))).toBe("a.txt");
  expect(fs.statSync(path.join(out, "big.bin"), { bigint: true }).mtimeNs).toBe(BACKPAK_REPO_TIME);
  // The version-1 snapshot shows its time as backpak wrote it.
  expect((JSON.parse(ok(cli(work, repo, ["cat", "snapshot", "LAST~1"])).stdout) as { time: string }).time).toBe("2023-11-14T22:13:20.123456789+00:00[UTC]");
});
