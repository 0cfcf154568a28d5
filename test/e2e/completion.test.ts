/**
 * `backpak completion bash|zsh|fish`: the bash script, sourced in bash and driven through
 * COMP_WORDS/COMP_CWORD, completes commands, options, option values and paths as the CLI's tables
 * say; fish's completes the same through `complete -C`; zsh's parses and registers itself.
 */
import { beforeAll, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, ok, run, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

let dir = "";
beforeAll(() => {
  dir = tempDir("completion");
  for (const shell of ["bash", "zsh", "fish"]) fs.writeFileSync(path.join(dir, `backpak.${shell}`), ok(run(["completion", shell])).stdout);
  fs.mkdirSync(path.join(dir, "files/sub"), { recursive: true });
  for (const f of ["repo-a", "repo-b", "other"]) fs.writeFileSync(path.join(dir, "files", f), "");
});

/** What the bash completion offers for the command line `words` (the cursor on the last one), sorted. */
function bashCompletes(...words: string[]): string[] {
  const script = `source backpak.bash; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _backpak; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = Bun.spawnSync({ cmd: ["bash", "--norc", "--noprofile", "-c", script, "bash", "backpak", ...words], cwd: dir, stdout: "pipe", stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  return r.stdout.toString().split("\n").filter((l) => l !== "").sort();
}

/** The commands `backpak --help` lists. */
function helpCommands(): string[] {
  const help = ok(run(["--help"])).stdout;
  const section = help.slice(help.indexOf("Commands:"), help.indexOf("Options:"));
  return [...section.matchAll(/^  ([a-z-]+) /gm)].map((m) => m[1]!).sort();
}

test("bash: every command --help lists is completed, and a prefix completes to its commands", () => {
  expect(bashCompletes("")).toEqual(helpCommands());
  expect(bashCompletes("ba")).toEqual(["backup"]);
  expect(bashCompletes("re")).toEqual(["rebuild-index", "restore"]);
  expect(bashCompletes("init", "s")).toEqual(["s3", "sftp"]);
});

test("bash: a command's options, as its --help lists them, after global options and their values", () => {
  const helpOptions = [...ok(run(["backup", "--help"])).stdout.split("Global options")[0]!.matchAll(/--[a-z-]+/g)].map((m) => m[0]).sort();
  expect(bashCompletes("backup", "--")).toEqual([...new Set(helpOptions)]);
  // The value of -r is not taken for a command, so `restore` is still the command.
  expect(bashCompletes("-r", "restore", "--config", "x", "restore", "LAST", "--d")).toEqual(["--delete", "--dry-run"]);
  expect(bashCompletes("init", "s3", "--p")).toEqual(["--path-style", "--prefix"]);
});

test("bash: an option's fixed values, and file names where an option or argument is a path", () => {
  expect(bashCompletes("-c", "")).toEqual(["always", "auto", "never"]);
  expect(bashCompletes("completion", "")).toEqual(["bash", "fish", "zsh"]);
  expect(bashCompletes("-r", "files/repo-")).toEqual(["files/repo-a", "files/repo-b"]);
  expect(bashCompletes("-r", "files/repo-a", "backup", "files/")).toEqual(["files/other", "files/repo-a", "files/repo-b", "files/sub"]);
  expect(bashCompletes("restore", "-o", "files/s")).toEqual(["files/sub"]);
  // A snapshot argument is not a path, and a value with no fixed set gets nothing.
  expect(bashCompletes("ls", "")).toEqual([]);
  expect(bashCompletes("backup", "--tag", "")).toEqual([]);
});

test("an unknown shell is a usage error naming the argument, with nothing printed on stdout", () => {
  const r = run(["completion", "tcsh"]);
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
  expect(r.stderr).toContain("invalid value 'tcsh' for '<SHELL>': possible values are bash, zsh, fish");
});

test.skipIf(Bun.which("fish") === null)("fish: the script parses and completes commands, options, values and paths (skipped where fish isn't installed)", () => {
  expect(Bun.spawnSync({ cmd: ["fish", "-n", "backpak.fish"], cwd: dir }).exitCode).toBe(0);
  const completes = (line: string): string[] => {
    const r = Bun.spawnSync({ cmd: ["fish", "--no-config", "-c", "source backpak.fish; complete -C $argv[1]", line], cwd: dir, stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    return r.stdout.toString().split("\n").filter((l) => l !== "").map((l) => l.split("\t")[0]!).sort();
  };
  expect(completes("backpak ")).toEqual(helpCommands());
  expect(completes("backpak init s3 --p")).toEqual(["--path-style", "--prefix"]);
  expect(completes("backpak -c ")).toEqual(["always", "auto", "never"]);
  expect(completes("backpak -r files/repo-a backup files/r")).toEqual(["files/repo-a", "files/repo-b"]);
  expect(completes("backpak ls ")).toEqual([]);
});

test.skipIf(Bun.which("zsh") === null)("zsh: the script parses and, sourced after compinit, registers _backpak for backpak (skipped where zsh isn't installed)", () => {
  expect(Bun.spawnSync({ cmd: ["zsh", "-n", "backpak.zsh"], cwd: dir }).exitCode).toBe(0);
  const script = "autoload -Uz compinit; compinit -u -D; source backpak.zsh; print -r -- $_comps[backpak]";
  const r = Bun.spawnSync({ cmd: ["zsh", "-f", "-c", script], cwd: dir, stdout: "pipe", stderr: "pipe" });
  expect({ out: r.stdout.toString(), err: r.stderr.toString() }).toEqual({ out: "_backpak\n", err: "" });
});
