/**
 * Every command's --help is enough to use it without the README: each option has a description,
 * and backup, restore, forget and init show examples that the parser accepts as written.
 */
import { expect, test } from "bun:test";
import { cleanUpAfterThisFile, ok, run } from "./harness.ts";

cleanUpAfterThisFile();

/** The subcommands a --help text lists (without `help` itself). */
const commandsIn = (help: string): string[] =>
  help.includes("\nCommands:\n") ? [...help.split("\nCommands:\n")[1]!.split("\n\n")[0]!.matchAll(/^ {2}([a-z0-9-]+) /gm)].map((m) => m[1]!).filter((c) => c !== "help") : [];

/** Every command path under the top, e.g. ["backup"], ["init", "s3"]. */
function allCommands(prefix: readonly string[] = []): string[][] {
  const help = ok(run([...prefix, "--help"])).stdout;
  return commandsIn(help).flatMap((c) => [[...prefix, c], ...allCommands([...prefix, c])]);
}

test("every option of every command has a description in its --help", () => {
  const commands = allCommands();
  expect(commands).toContainEqual(["init", "sftp"]);
  const bare: string[] = [];
  for (const words of [[], ...commands]) {
    const help = ok(run([...words, "--help"])).stdout;
    for (const line of help.split("\n").filter((l) => /^ {2}(-[a-zA-Z], | {4})--[a-z]/.test(l))) {
      if (!/^ {2}(-[a-zA-Z], | {4})--[a-z-]+( <[^>]+>)? {2,}\S/.test(line)) bare.push(`${words.join(" ")}: ${line}`);
    }
  }
  expect(bare).toEqual([]);
});

test("backup, restore, forget and init show examples, each of which parses as written", () => {
  for (const command of ["backup", "restore", "forget", "init"]) {
    const help = ok(run([command, "--help"])).stdout;
    const examples = help.split("\nExamples:\n")[1]?.split("\n\n")[0]?.split("\n").filter((l) => l.startsWith("  backpak ")) ?? [];
    expect({ command, examples: examples.length > 0 }).toEqual({ command, examples: true });
    for (const line of examples) {
      // The words before any two-space comment, then --help: the parser checks every option on the way and prints help instead of running.
      const words = line.trim().replace(/ {2,}.*$/, "").split(" ").slice(1);
      expect(words).toContain(command);
      const r = run([...words, "--help"]);
      expect({ line, code: r.code, stderr: r.stderr }).toEqual({ line, code: 0, stderr: "" });
    }
  }
});
