/** The backpak executable: parses global options, sets up logging and configuration, runs one command. */
import path from "node:path";
import { parseDuration } from "../lib/duration.ts";
import { BackpakError } from "../lib/errors.ts";
import { runInterruptCleanups } from "../lib/interrupt.ts";
import { installLogSink } from "../ui/log-sink.ts";
import { exitErrorJson, renderError } from "../ui/errors.ts";
import { isTerminal, stderr, stdout } from "../ui/output.ts";
import { HelpRequested, parseArgs, type CommandSpec } from "./args.ts";
import { arg } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { defaultRepositoryPath, makeContext } from "./context.ts";
import { EXIT, EXIT_STATUS_HELP, exitCode } from "./exit-codes.ts";
import { loadUserConfig } from "./user-config.ts";
import { versionLine } from "./version.ts";

/** The running command's note for an interruption (see Command.interrupted). */
let interruptNote: string | undefined;

const GLOBAL: CommandSpec = {
  name: "backpak",
  about: "A content-addressed backup tool with deduplication and compression (backpak 0.3.0 repositories)",
  options: [
    { long: "verbose", short: "v", kind: "count", help: "Verbosity (-v, -vv, -vvv, etc.)" },
    { long: "color", short: "c", kind: "value", value: "WHEN", choices: ["auto", "always", "never"], help: "Colour log output: auto, always or never [default: auto]" },
    { long: "config", kind: "value", value: "CONFIG", path: true, help: 'Specify a different config file (which must exist) than the default\n`~/.config/backpak.toml`,\nor pass "" to force the default config.' },
    { long: "timestamps", short: "t", kind: "flag", help: "Prepend ISO-8601 timestamps to all trace messages (from --verbose)." },
    { long: "working-directory", short: "C", kind: "value", value: "PATH", path: true, help: "Change to the given directory before doing anything else" },
    {
      long: "scratch-dir",
      kind: "value",
      value: "DIR",
      help: "Where packs wait to be stored and interrupted runs leave what the next run resumes\n(a subdirectory per repository). Default: $BACKPAK_SCRATCH_DIR, else\n~/.cache/backpak/scratch ($XDG_CACHE_HOME/backpak/scratch).",
    },
    {
      long: "repository",
      short: "r",
      kind: "value",
      value: "REPOSITORY",
      path: true,
      help: `The repository: a directory, or a B2 or S3 repository's config file (see \`init\`).\nDefault: $BACKPAK_REPOSITORY, else\n${defaultRepositoryPath()},\nwhich the first \`backup\` creates.`,
    },
    { long: "no-lock", kind: "flag", help: "Take no lock on the repository (for read-only commands on a repository\nyou can't write to; only safe while no prune or rebuild-index runs on it)" },
    { long: "retry-lock", kind: "value", value: "DURATION", help: "When another command holds a conflicting lock, keep trying for this long\n(e.g. 30s, 5m, 2h) instead of failing at once", validate: parseDuration },
    { long: "version", short: "V", kind: "flag", help: "Print version" },
  ],
  subcommands: COMMANDS.map((c) => c.spec),
  details: EXIT_STATUS_HELP,
};

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(GLOBAL, argv.includes("-V") || argv.includes("--version") ? argv.filter((a) => a === "-V" || a === "--version") : argv);
  } catch (err) {
    if (err instanceof HelpRequested) {
      stdout.write(err.message);
      return 0;
    }
    if (argv.includes("-V") || argv.includes("--version")) {
      stdout.line(versionLine());
      return 0;
    }
    // Mistakes on the command line are said as clap says them, exit status 2 (as are UsageErrors found later).
    stderr.line(`error: ${(err as Error).message}`);
    if (err instanceof BackpakError && err.hint) stderr.line(`\n${err.hint}`);
    return EXIT.usage;
  }
  const sub = parsed.sub!;
  const command = COMMANDS.find((c) => c.spec.name === sub.spec.name)!;
  interruptNote = command.interrupted;
  const colorFlag = arg.value(parsed, "color") ?? "auto";
  installLogSink({
    verbose: arg.count(parsed, "verbose"),
    timestamps: arg.flag(parsed, "timestamps"),
    color: colorFlag === "always" || (colorFlag === "auto" && isTerminal(2)),
    // -q/--quiet and --json, where a command has them, leave only warnings, errors and results.
    plainInfo: !command.quiet && !arg.flag(sub, "quiet") && !arg.flag(sub, "json"),
    stderr: stderr.line,
  });
  try {
    const startDir = process.cwd();
    const config = loadUserConfig(arg.value(parsed, "config"), startDir);
    const workDir = arg.value(parsed, "working-directory");
    if (workDir !== undefined) {
      try {
        process.chdir(path.resolve(startDir, workDir));
      } catch (err) {
        throw new BackpakError("not-found", `Couldn't change to the working directory ${workDir}`, { cause: err });
      }
    }
    const retry = arg.value(parsed, "retry-lock");
    const ctx = makeContext(config, arg.value(parsed, "repository"), {
      command: command.spec.name,
      mode: command.lock,
      noLock: arg.flag(parsed, "no-lock"),
      retryForMs: retry === undefined ? 0 : parseDuration(retry),
    }, arg.value(parsed, "scratch-dir"));
    try {
      return (await command.run(sub, ctx)) ?? 0;
    } finally {
      await ctx.releaseLocks();
      if (arg.count(parsed, "verbose") > 0) ctx.reportRequests();
    }
  } catch (err) {
    const code = exitCode(err);
    stderr.line(renderError(err));
    // As restic does: with --json the last line on stderr is the error as JSON, with the exit status.
    if (arg.flag(sub, "json")) stderr.line(exitErrorJson(code, err));
    return code;
  }
}

/** On SIGINT, SIGTERM or SIGHUP: undo what is half-done on disk, remove the command's locks, say so, and exit as the signal would. */
for (const [signal, number] of [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]] as const) {
  process.on(signal, async () => {
    await runInterruptCleanups();
    stderr.line(`\nInterrupted by ${signal}${interruptNote === undefined ? "" : `; ${interruptNote}`}`);
    process.exit(128 + number);
  });
}

process.exitCode = await main(process.argv.slice(2));
