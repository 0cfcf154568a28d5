/** The argument parser: long/short forms, counts, repeats, --, variadic positionals, conflicts and errors. */
import { expect, test } from "bun:test";
import { HelpRequested, parseArgs, type CommandSpec } from "../../src/cli/args.ts";

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
