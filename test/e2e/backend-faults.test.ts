/**
 * Storage failures injected into the compiled binary (BACKPAK_BACKEND_FAULT) during backup, prune,
 * copy, forget and restore: each run fails with an error naming the object and a non-zero exit;
 * afterwards the repository checks clean with --read-packs, the command rerun without faults
 * completes, and the next backup succeeds and restores byte for byte.
 */
import { beforeAll, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, listedSnapshots, ok, spawnCli, tempDir, type RunResult } from "./harness.ts";
import { scratchRootOf, whenRun } from "./scratch-dirs.ts";

cleanUpAfterThisFile();

type Command = "backup" | "prune" | "copy" | "forget" | "restore";

/** The faults each command meets, one run each (see src/backend/fault-plan.ts). */
const CASES: Readonly<Record<Command, readonly string[]>> = {
  backup: [
    "put:packs/:2:EIO",
    "put:packs/:2:ENOSPC",
    "put:packs/:2:timeout",
    "put:packs/:2:lost",
    "put:indexes/:1:lost",
    "put:snapshots/:1:EIO",
    "list:packs/:1:timeout",
    "read:indexes/:1:EIO",
  ],
  prune: ["put:packs/:1:ENOSPC", "put:indexes/:1:lost", "put:packs/:1:short", "remove:indexes/:1:timeout", "remove:packs/:1:EIO"],
  copy: ["put:packs/:2:EIO", "put:packs/:1:ENOSPC", "put:indexes/:1:timeout", "put:snapshots/:1:lost", "put:snapshots/:2:short"],
  forget: ["remove:snapshots/:1:EIO", "remove:snapshots/:1:timeout", "remove:snapshots/:1:lost"],
  // A snapshot that can't be read fails the restore: it isn't set aside as damaged, which would make LAST another one.
  restore: ["openRange:packs/:2:EIO", "openRange:packs/:1:short", "openRange:packs/:1:lost", "read:snapshots/:1:timeout"],
};

const VERBS: Record<string, string> = { put: "store", remove: "delete", read: "read", openRange: "open", list: "list" };
const KEYS: Record<string, string> = { "packs/": "packs/[0-9a-v]+\\.pack", "indexes/": "indexes/[0-9a-v]+\\.index", "snapshots/": "snapshots/[0-9a-v]+\\.snapshot" };
const ERRORS: Record<string, string> = { EIO: "EIO: i/o error", ENOSPC: "ENOSPC: no space left on device", timeout: "ETIMEDOUT", lost: "ECONNRESET" };

/**
 * What the error report says for `fault`: it names the object (a listing names its folder), with
 * the storage's error after it or among its causes. A short write is found when the sizes stored
 * are checked, a short read when the pack's manifest is read.
 */
function reportFor(fault: string): RegExp {
  const [op, prefix, , kind] = fault.split(":") as [string, string, string, string];
  const key = op === "list" ? prefix : KEYS[prefix]!;
  if (kind === "short") return new RegExp(op === "put" ? `The storage didn't keep what was written: ${key}` : "pack [0-9a-v]+ is truncated");
  // The object, then the error: on one line, as the next cause in the chain, or in the chain below.
  return new RegExp(`Couldn't ${VERBS[op]} ${key}(: |\\n +\\d+: |[\\s\\S]*Caused by:[\\s\\S]*)${ERRORS[kind]}`);
}

/** A working directory holding `src`, a repository `repo` with two snapshots (the first also held `old`), and an empty `dest`. */
let base: string;

beforeAll(() => {
  base = tempDir("faults-base");
  const src = path.join(base, "src");
  fs.mkdirSync(src);
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(src, `f${i}`), randomBytes(300 + i, 1536 << 10));
  fs.writeFileSync(path.join(src, "small"), "hello\n");
  fs.writeFileSync(path.join(src, "old"), randomBytes(310, 2 << 20));
  const repo = path.join(base, "repo");
  ok(cli(base, repo, ["init", "--pack-size", "1MiB", "filesystem"]));
  ok(cli(base, repo, ["backup", src]));
  fs.rmSync(path.join(src, "old"));
  ok(cli(base, repo, ["backup", src]));
  ok(cli(base, path.join(base, "dest"), ["init", "--pack-size", "1MiB", "filesystem"]));
});

/** The arguments of `command` in a copy of the base at `work`; prepares what it needs first. */
function argsFor(command: Command, work: string): string[] {
  const repo = path.join(work, "repo");
  const [first] = listedSnapshots(work, repo);
  switch (command) {
    case "backup":
      fs.writeFileSync(path.join(work, "src", "new"), randomBytes(320, 3 << 20));
      return ["backup", path.join(work, "src")];
    case "prune":
      ok(cli(work, repo, ["forget", first!]));
      return ["prune"];
    case "copy":
      return ["copy", "--all", "--to", path.join(work, "dest")];
    case "forget":
      return ["forget", first!];
    case "restore":
      return ["restore", "--output", path.join(work, "out"), "LAST"];
  }
}

/** A backup of `src` without faults completes, checks clean and restores byte for byte; returns its run. */
function takesNextBackup(work: string, repo: string): RunResult {
  const backup = ok(cli(work, repo, ["backup", path.join(work, "src")]));
  ok(cli(work, repo, ["check", "--read-packs"]));
  const out = tempDir("faults-out");
  ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
  expect(contentsOf(out)).toEqual(contentsOf(path.join(work, "src")));
  return backup;
}

/** Runs `command` with `fault`, then checks the repositories, reruns it without faults, backs up and restores. */
function survives(command: Command, fault: string): void {
  const work = tempDir(`faults-${command}`);
  fs.cpSync(base, work, { recursive: true });
  const repo = path.join(work, "repo");
  const args = argsFor(command, work);

  const r = fails(cli(work, repo, args, { env: { BACKPAK_BACKEND_FAULT: fault } }));
  expect(errorReport(r)).toMatch(reportFor(fault));

  for (const dir of ["repo", "dest"]) ok(cli(work, path.join(work, dir), ["check", "--read-packs"]));
  // A forget whose reply was lost did delete the snapshot: there is nothing left to rerun.
  if (!(command === "forget" && fault.endsWith(":lost"))) ok(cli(work, repo, args));
  takesNextBackup(work, repo);
}

for (const [command, faults] of Object.entries(CASES) as [Command, readonly string[]][]) {
  for (const fault of faults) test(`${command} with ${fault} fails naming the object, and the repository takes the next backup`, () => survives(command, fault));
}

test("a backup whose upload hangs is interrupted cleanly (exit 130), and the next backup resumes it", async () => {
  const work = tempDir("faults-hang");
  fs.cpSync(base, work, { recursive: true });
  const repo = path.join(work, "repo");
  argsFor("backup", work);
  const proc = spawnCli(work, repo, ["backup", path.join(work, "src")], { BACKPAK_BACKEND_FAULT: "put:packs/:1:hang" });
  // The WIP index lists a pack just before its upload starts, and that upload never ends.
  const { dir } = await whenRun(scratchRootOf(repo), proc, (d) => fs.existsSync(path.join(d, "backpak-wip.journal")));
  proc.kill("SIGINT");
  expect(await proc.exited).toBe(130);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith("temp-backpak-"))).toEqual([]);
  ok(cli(work, repo, ["check", "--read-packs"]));
  expect(takesNextBackup(work, repo).stderr).toContain("WIP index file found, resuming where we left off");
});
