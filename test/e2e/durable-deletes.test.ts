/**
 * Deletions survive a power loss in the order they were made: traced with strace, every object
 * prune, forget and rebuild-index delete is followed by an fsync of its directory before the next
 * deletion elsewhere (so prune's old indexes are gone for good before its old packs go).
 */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, listedSnapshots, ok, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

/** strace is installed and may trace (a container can forbid ptrace). */
const hasStrace = Bun.which("strace") !== null && Bun.spawnSync(["strace", "-o", "/dev/null", "true"]).exitCode === 0;

interface Traced {
  readonly call: "unlink" | "fsync";
  readonly path: string;
}

/** Runs `backpak <args>` under strace; returns its unlinks and fsyncs of paths under `repo` (its lock aside), in order. */
function traced(work: string, repo: string, args: readonly string[]): Traced[] {
  const log = path.join(tempDir("trace"), "strace.out");
  ok(cli(work, repo, args, { wrapper: ["strace", "-f", "-y", "-e", "trace=fsync,unlink,unlinkat", "-o", log] }));
  const out: Traced[] = [];
  for (const line of fs.readFileSync(log, "utf8").split("\n")) {
    const unlink = /\bunlink(?:at)?\((?:[^,]*, )?"([^"]+)"/.exec(line);
    // A call another thread interrupts is split into "<unfinished ...>" and "<... resumed>" lines: the first has the path.
    const fsync = /\bfsync\(\d+<([^>]+)>/.exec(line);
    const call = unlink ? "unlink" : fsync ? "fsync" : undefined;
    const p = unlink?.[1] ?? fsync?.[1];
    // The command's own lock object comes and goes in locks/; it holds no data.
    if (call && p && p.startsWith(repo) && !p.startsWith(path.join(repo, "locks"))) out.push({ call, path: p });
  }
  return out;
}

/** The repository objects deleted that were not made durable (their directory fsynced) before the next deletion in another directory. */
function undurable(events: readonly Traced[]): string[] {
  const pending = new Set<string>();
  const out: string[] = [];
  for (const e of events) {
    if (e.call === "fsync") {
      for (const p of pending) if (path.dirname(p) === e.path) pending.delete(p);
      continue;
    }
    for (const p of pending) if (path.dirname(p) !== path.dirname(e.path)) out.push(p);
    pending.add(e.path);
  }
  return [...out, ...pending];
}

function backupTwice(label: string): { work: string; repo: string } {
  const { work, repo } = setup(label);
  const data = path.join(work, "data");
  fs.mkdirSync(data);
  for (const i of [1, 2]) {
    fs.writeFileSync(path.join(data, `f${i}`), randomBytes(i, 100_000));
    ok(cli(work, repo, ["backup", data]));
  }
  return { work, repo };
}

test.skipIf(!hasStrace)("prune makes each deletion durable, old indexes before old packs", () => {
  const { work, repo } = backupTwice("durable-prune");
  ok(cli(work, repo, ["forget", listedSnapshots(work, repo)[1]!]));
  const events = traced(work, repo, ["prune"]);
  const deleted = events.filter((e) => e.call === "unlink").map((e) => path.basename(path.dirname(e.path)));
  expect(deleted).toContain("indexes");
  expect(deleted).toContain("packs");
  expect(deleted.lastIndexOf("indexes")).toBeLessThan(deleted.indexOf("packs"));
  expect(undurable(events)).toEqual([]);
});

test.skipIf(!hasStrace)("forget and rebuild-index make their deletions durable", () => {
  const { work, repo } = backupTwice("durable-forget");
  const forget = traced(work, repo, ["forget", listedSnapshots(work, repo)[0]!]);
  expect(forget.filter((e) => e.call === "unlink").length).toBe(1);
  expect(undurable(forget)).toEqual([]);

  const rebuild = traced(work, repo, ["rebuild-index"]);
  expect(rebuild.filter((e) => e.call === "unlink").length).toBe(2);
  expect(undurable(rebuild)).toEqual([]);
});
