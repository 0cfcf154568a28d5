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
import { cleanUpAfterThisFile, cli, contentsOf, errorReport, fails, listedSnapshots, ok, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

type Command = "backup" | "prune" | "copy" | "forget" | "restore";

interface Case {
  readonly command: Command;
  readonly fault: string;
  /** What the error report must say (the object is named in it). */
  readonly says: RegExp;
}

const PACK = "packs/[0-9a-v]+\\.pack";
const INDEX = "indexes/[0-9a-v]+\\.index";
const SNAPSHOT = "snapshots/[0-9a-v]+\\.snapshot";
/** An error report naming the object, with the storage's error after it or among its causes. */
const said = (what: string, key: string, error: string): RegExp => new RegExp(`Couldn't ${what} ${key}(: |[\\s\\S]*Caused by:[\\s\\S]*)${error}`);

const CASES: readonly Case[] = [
  { command: "backup", fault: "put:packs/:2:EIO", says: said("store", PACK, "EIO: i/o error") },
  { command: "backup", fault: "put:packs/:2:ENOSPC", says: said("store", PACK, "ENOSPC: no space left on device") },
  { command: "backup", fault: "put:packs/:2:timeout", says: said("store", PACK, "ETIMEDOUT") },
  { command: "backup", fault: "put:packs/:2:lost", says: said("store", PACK, "ECONNRESET") },
  { command: "backup", fault: "put:indexes/:1:lost", says: said("store", INDEX, "ECONNRESET") },
  { command: "backup", fault: "put:snapshots/:1:EIO", says: said("store", SNAPSHOT, "EIO") },
  { command: "backup", fault: "list:packs/:1:timeout", says: said("list", "packs/", "ETIMEDOUT") },
  { command: "backup", fault: "read:indexes/:1:EIO", says: said("read", INDEX, "EIO") },
  { command: "prune", fault: "put:packs/:1:ENOSPC", says: said("store", PACK, "ENOSPC") },
  { command: "prune", fault: "put:indexes/:1:lost", says: said("store", INDEX, "ECONNRESET") },
  { command: "prune", fault: "put:packs/:1:short", says: new RegExp(`The storage didn't keep what was written: ${PACK}`) },
  { command: "prune", fault: "remove:indexes/:1:timeout", says: said("delete", INDEX, "ETIMEDOUT") },
  { command: "prune", fault: "remove:packs/:1:EIO", says: said("delete", PACK, "EIO") },
  { command: "copy", fault: "put:packs/:2:EIO", says: said("store", PACK, "EIO") },
  { command: "copy", fault: "put:indexes/:1:timeout", says: said("store", INDEX, "ETIMEDOUT") },
  { command: "copy", fault: "put:snapshots/:1:lost", says: said("store", SNAPSHOT, "ECONNRESET") },
  { command: "copy", fault: "put:snapshots/:2:short", says: new RegExp(`The storage didn't keep what was written: ${SNAPSHOT}`) },
  { command: "forget", fault: "remove:snapshots/:1:EIO", says: said("delete", SNAPSHOT, "EIO") },
  { command: "forget", fault: "remove:snapshots/:1:lost", says: said("delete", SNAPSHOT, "ECONNRESET") },
  { command: "restore", fault: "openRange:packs/:2:EIO", says: said("open", PACK, "EIO") },
  { command: "restore", fault: "read:snapshots/:1:timeout", says: said("read", SNAPSHOT, "ETIMEDOUT") },
];

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

for (const c of CASES) {
  test(`${c.command} with ${c.fault} fails naming the object, and the repository takes the next backup`, () => {
    const work = tempDir(`faults-${c.command}`);
    fs.cpSync(base, work, { recursive: true });
    const repo = path.join(work, "repo");
    const args = argsFor(c.command, work);

    const r = fails(cli(work, repo, args, { env: { BACKPAK_BACKEND_FAULT: c.fault } }));
    expect(errorReport(r)).toMatch(c.says);

    for (const dir of ["repo", "dest"]) ok(cli(work, path.join(work, dir), ["check", "--read-packs"]));
    // A forget whose reply was lost did delete the snapshot: there is nothing left to rerun.
    if (!(c.command === "forget" && c.fault.endsWith(":lost"))) ok(cli(work, repo, args));
    ok(cli(work, repo, ["backup", path.join(work, "src")]));
    ok(cli(work, repo, ["check", "--read-packs"]));
    const out = tempDir("faults-out");
    ok(cli(work, repo, ["restore", "--output", out, "LAST"]));
    expect(contentsOf(out)).toEqual(contentsOf(path.join(work, "src")));
  });
}
