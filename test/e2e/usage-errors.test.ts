/** Mistakes on the command line get a clear word and exit status 2, and help is where a new user looks for it. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { cleanUpAfterThisFile, cli, errorReport, home, ok, run, setup, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("init backblaze without its required options is a usage error (exit 2), like every other", () => {
  const config = path.join(tempDir("b2-missing"), "b2.toml");
  const r = run(["--config", "", "-r", config, "init", "backblaze", "-k", "id"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("--application-key <APPLICATION_KEY>");
  expect(r.stderr).toContain("--bucket <BUCKET>");
  expect(fs.existsSync(config)).toBe(false);
  expect(run(["--config", "", "-r", config, "init", "--nope", "filesystem"]).code).toBe(2);
});

test("a subcommand's --help lists the global options too, and `help CMD` is `CMD --help`", () => {
  const help = ok(run(["backup", "--help"])).stdout;
  expect(help).toContain("--dry-run");
  expect(help).toContain("Global options");
  expect(help).toContain("-r, --repository <REPOSITORY>");
  expect(help).toContain("-C, --working-directory <PATH>");
  expect(ok(run(["help", "backup"])).stdout).toBe(help);
  expect(ok(run(["help", "init", "backblaze"])).stdout).toBe(ok(run(["init", "backblaze", "--help"])).stdout);
  expect(ok(run(["help"])).stdout).toBe(ok(run(["--help"])).stdout);
  expect(ok(run(["--help"])).stdout).toMatch(/\n {2}help +Print this message or the help of the given command\n/);
});

test("an unknown command or option suggests the nearest one, exit 2", () => {
  const r = run(["bakup", "x"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("unrecognized subcommand 'bakup'; did you mean 'backup'?");
  expect(run(["snap"]).stderr).toContain("did you mean 'snapshots'?");
  expect(run(["help", "restor"]).stderr).toContain("did you mean 'restore'?");
  const opt = run(["backup", "--dryrun", "x"]);
  expect(opt.code).toBe(2);
  expect(opt.stderr).toContain("unexpected argument '--dryrun' found; did you mean '--dry-run'?");
  // Nothing near: no guess.
  expect(run(["zzzzzzzz"]).stderr).not.toContain("did you mean");
});

test("--config naming a file that doesn't exist is an error naming it (exit 2); the default one may be missing", () => {
  const { work, repo } = setup("config-missing");
  const missing = path.join(tempDir("config-missing-dir"), "backpak.tom");
  const r = run(["-C", work, "--config", missing, "-r", repo, "snapshots"]);
  expect(r.code).toBe(2);
  expect(errorReport(r)).toContain(`The config file ${missing} (given with --config) doesn't exist`);
  expect(errorReport(r)).toContain('--config ""');
  expect(fs.existsSync(path.join(home(), ".config", "backpak.toml"))).toBe(false);
  ok(run(["-C", work, "-r", repo, "snapshots"]));
  ok(cli(work, repo, ["snapshots"])); // --config ""
});
