/** What every command file exports: its argument spec and a run function over the parsed arguments. */
import type { CommandSpec, OptSpec, Parsed } from "./args.ts";
import type { CliContext } from "./context.ts";
import type { LockMode } from "./locking.ts";

export interface Command {
  readonly spec: CommandSpec;
  /** The lock it takes on each repository it opens (see cli/locking.ts). */
  readonly lock: LockMode;
  /** Commands whose output is data (cat, diff, dump, ls) show INFO lines only with -v. */
  readonly quiet?: boolean;
  /** What a user should know when a signal stops this command (after "Interrupted by SIGINT; "), if anything. */
  readonly interrupted?: string;
  /** Returns the exit status when it isn't 0 without being an error (backup: 3, some files were left out). */
  run(args: Parsed, ctx: CliContext): Promise<number | void>;
}

/** Typed accessors over parsed arguments. */
export const arg = {
  flag: (p: Parsed, name: string): boolean => p.options[name] === true,
  count: (p: Parsed, name: string): number => (p.options[name] as number | undefined) ?? 0,
  value: (p: Parsed, name: string): string | undefined => p.options[name] as string | undefined,
  multi: (p: Parsed, name: string): string[] => (p.options[name] as string[] | undefined) ?? [],
  pos: (p: Parsed, name: string): string => p.positionals[name] as string,
  optPos: (p: Parsed, name: string): string | undefined => p.positionals[name] as string | undefined,
  list: (p: Parsed, name: string): string[] => (p.positionals[name] as string[] | undefined) ?? [],
};

/** `--json`, the same on every command that reports something: JSON lines on stdout (docs/json.md). */
export const JSON_OPTION: OptSpec = {
  long: "json",
  kind: "flag",
  help: "Print JSON lines on stdout instead of text, one object a line with a message_type\n(see docs/json.md); warnings and errors stay on stderr",
};

/** `-q/--quiet` for the commands that report: no progress and no info lines, only warnings, errors and results. */
export const QUIET_OPTION: OptSpec = { long: "quiet", short: "q", kind: "flag", help: "Print only warnings, errors and results (no progress or info lines)" };
