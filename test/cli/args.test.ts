/** The argument parser: long/short forms, counts, repeats, --, variadic positionals, conflicts, errors, help and suggestions. */
import { expect, test } from "bun:test";
import { HelpRequested, UsageError, parseArgs, type CommandSpec } from "../../src/cli/args.ts";

const spec: CommandSpec = {
  name: "t",
  about: "test",
  options: [
    { long: "verbose", short: "v", kind: "count", help: "" },
    { long: "tag", short: "t", kind: "multi", help: "" },
    { long: "out", short: "o", kind: "value", help: "" },
    { long: "dry-run", short: "n", kind: "flag", help: "", conflicts: ["out"] },
    { long: "delete", short: "d", kind: "flag", help: "" },
  ],
  positionals: [{ name: "PATHS", variadic: true, required: true, help: "" }],
};

test("forms of options", () => {
  const p = parseArgs(spec, ["-vvv", "--tag", "a", "-tb", "--tag=c", "-d", "x", "--", "-y"]);
  expect(p.options).toEqual({ verbose: 3, tag: ["a", "b", "c"], delete: true });
  expect(p.positionals.PATHS).toEqual(["x", "-y"]);
  expect(parseArgs(spec, ["-o", "f", "p"]).options.out).toBe("f");
  expect(parseArgs(spec, ["-of", "p"]).options.out).toBe("f");
  expect(parseArgs(spec, ["-dv", "p"]).options).toEqual({ delete: true, verbose: 1 });
});

test("errors", () => {
  expect(() => parseArgs(spec, ["--nope", "p"])).toThrow("unexpected argument '--nope' found");
  expect(() => parseArgs(spec, [])).toThrow("required arguments were not provided: <PATHS>");
  expect(() => parseArgs(spec, ["-n", "-o", "x", "p"])).toThrow("cannot be used with");
  expect(() => parseArgs(spec, ["-o"])).toThrow("a value is required");
  expect(() => parseArgs(spec, ["-o", "a", "-o", "b", "p"])).toThrow("cannot be used multiple times");
  expect(() => parseArgs(spec, ["--help"])).toThrow(HelpRequested);
});

const tool: CommandSpec = {
  name: "tool",
  about: "a tool",
  options: [{ long: "repository", short: "r", kind: "value", value: "REPO", help: "the repository" }],
  subcommands: [
    { name: "backup", about: "back up", options: [{ long: "dry-run", short: "n", kind: "flag", help: "store nothing" }] },
    { name: "init", about: "make one", subcommands: [{ name: "filesystem", about: "a directory" }] },
  ],
};

/** The help text parsing `argv` asks for. */
function helpOf(argv: string[]): string {
  try {
    parseArgs(tool, argv);
  } catch (err) {
    if (err instanceof HelpRequested) return err.message;
    throw err;
  }
  throw new Error(`no help for ${argv.join(" ")}`);
}

test("a subcommand's help lists the global options after its own; `help CMD...` gives the same text", () => {
  const help = helpOf(["backup", "--help"]);
  expect(help).toContain("Usage: tool backup [OPTIONS]");
  expect(help.indexOf("--dry-run")).toBeLessThan(help.indexOf("Global options"));
  expect(help.slice(help.indexOf("Global options"))).toContain("-r, --repository <REPO>  the repository");
  expect(helpOf(["-r", "x", "help", "backup"])).toBe(help);
  expect(helpOf(["help", "init", "filesystem"])).toBe(helpOf(["init", "filesystem", "-h"]));
  expect(helpOf(["help"])).toBe(helpOf(["--help"]));
  expect(helpOf(["--help"])).not.toContain("Global options");
});

test("an unknown subcommand or long option is a UsageError suggesting the nearest", () => {
  expect(() => parseArgs(tool, ["bakup"])).toThrow("unrecognized subcommand 'bakup'; did you mean 'backup'?");
  expect(() => parseArgs(tool, ["help", "int"])).toThrow("did you mean 'init'?");
  expect(() => parseArgs(tool, ["backup", "--dryrun"])).toThrow("unexpected argument '--dryrun' found; did you mean '--dry-run'?");
  expect(() => parseArgs(tool, ["--repo", "x", "backup"])).toThrow("did you mean '--repository'?");
  expect(() => parseArgs(tool, ["hepl"])).toThrow("did you mean 'help'?");
  expect(() => parseArgs(tool, ["frobnicate"])).toThrow(UsageError);
});
