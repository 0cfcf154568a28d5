/**
 * A small clap-like argument parser: long and short options (`--tag x`, `--tag=x`, `-tx`, `-vvv`,
 * `-nd`), counted and repeatable options, positionals (optionally variadic), `--` to end options,
 * subcommands, `help [COMMAND]`, suggestions for mistyped commands and options, and generated
 * help (which lists the global options under every command). (citty could not express counted or
 * repeatable options or variadic positionals, and it accepts unknown options silently.)
 */
import { BackpakError } from "../lib/errors.ts";
import { nearest } from "../lib/nearest.ts";

export type OptKind = "flag" | "count" | "value" | "multi";

export interface OptSpec {
  readonly long: string;
  readonly short?: string;
  readonly kind: OptKind;
  /** Placeholder shown in help for options that take a value. */
  readonly value?: string;
  readonly help: string;
  /** Allowed values, checked while parsing. */
  readonly choices?: readonly string[];
  /** Checks a value while parsing (throwing a BackpakError that says what is wrong), like clap's value parsers. */
  readonly validate?: (value: string) => void;
  /** Options this one may not be given with (long names). */
  readonly conflicts?: readonly string[];
  /** The value is a local file or directory (shell completion completes it as one). */
  readonly path?: boolean;
}

export interface PosSpec {
  readonly name: string;
  readonly help: string;
  readonly required?: boolean;
  readonly variadic?: boolean;
  /** The argument is a local file or directory (shell completion completes it as one). */
  readonly path?: boolean;
  /** Allowed values (not variadic), checked while parsing. */
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  readonly about: string;
  /** Extra paragraphs shown by --help. */
  readonly details?: string;
  readonly options?: readonly OptSpec[];
  readonly positionals?: readonly PosSpec[];
  readonly subcommands?: readonly CommandSpec[];
}

export type OptValue = boolean | number | string | string[] | undefined;

export interface Parsed {
  readonly spec: CommandSpec;
  readonly options: Record<string, OptValue>;
  readonly positionals: Record<string, string | string[] | undefined>;
  readonly sub?: Parsed;
  /** The top command's spec (its options are the global ones; `completion` describes its whole tree). */
  readonly root: CommandSpec;
}

/** Raised for --help and --version: the text to print on stdout, exit 0. */
export class HelpRequested extends Error {}

const HELP: OptSpec = { long: "help", short: "h", kind: "flag", help: "Print help" };
export const HELP_COMMAND: CommandSpec = { name: "help", about: "Print this message or the help of the given command" };

/** Whether an option is followed by a value (`--tag x`). */
export const takesValue = (o: OptSpec): boolean => o.kind === "value" || o.kind === "multi";

/** Every option a command takes: its own and -h/--help. */
export const optionsOf = (spec: CommandSpec): OptSpec[] => [...(spec.options ?? []), HELP];

/** A mistake on the command line (an unknown option, a missing argument...): reported without a trace, exit status 2. */
export class UsageError extends BackpakError {}

/** A UsageError pointing at `path --help`. */
export function usageError(path: string, msg: string): UsageError {
  return new UsageError("usage", msg, { hint: `For more information, try '${path} --help'.` });
}

/** `msg`, plus "did you mean" the nearest of `candidates` to `word` when one is near. */
function suggesting(msg: string, word: string, candidates: readonly string[], shown: (c: string) => string): string {
  const near = nearest(word, candidates);
  return near === undefined ? msg : `${msg}; did you mean '${shown(near)}'?`;
}

function unknownSubcommand(path: string, name: string, subs: readonly CommandSpec[]): UsageError {
  return usageError(path, suggesting(`unrecognized subcommand '${name}'`, name, [...subs, HELP_COMMAND].map((c) => c.name), (c) => c));
}

/**
 * Parses `argv` against `spec`; `path` is the command path for messages (e.g. "backpak backup").
 * `root` is the top command when `spec` is a subcommand: every subcommand's help lists its (global) options.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[], path = spec.name, root?: CommandSpec): Parsed {
  const options: Record<string, OptValue> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  const globals = root?.options;
  const opts = optionsOf(spec);
  const byLong = new Map(opts.map((o) => [o.long, o]));
  const byShort = new Map(opts.filter((o) => o.short).map((o) => [o.short!, o]));
  const hasSubs = (spec.subcommands?.length ?? 0) > 0;

  const set = (o: OptSpec, value: string | undefined, shown: string): void => {
    given.add(o.long);
    if (o.choices && value !== undefined && !o.choices.includes(value)) {
      throw usageError(path, `invalid value '${value}' for '${shown}': possible values are ${o.choices.join(", ")}`);
    }
    if (o.validate && value !== undefined) {
      try {
        o.validate(value);
      } catch (err) {
        const hint = err instanceof BackpakError && err.hint !== undefined ? `${err.hint}\n\n` : "";
        throw new BackpakError("usage", `invalid value '${value}' for '${shown} <${o.value ?? "VALUE"}>': ${(err as Error).message}`, {
          hint: `${hint}For more information, try '${path} --help'.`,
        });
      }
    }
    switch (o.kind) {
      case "flag":
        if (o.long === "help") throw new HelpRequested(renderHelp(spec, path, globals));
        options[o.long] = true;
        break;
      case "count":
        options[o.long] = ((options[o.long] as number | undefined) ?? 0) + 1;
        break;
      case "value":
        if (options[o.long] !== undefined) throw usageError(path, `the argument '${shown}' cannot be used multiple times`);
        options[o.long] = value;
        break;
      case "multi":
        options[o.long] = [...((options[o.long] as string[] | undefined) ?? []), value!];
        break;
    }
  };

  let i = 0;
  let sub: Parsed | undefined;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      i = argv.length;
      break;
    }
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const o = byLong.get(name);
      if (!o) throw usageError(path, suggesting(`unexpected argument '--${name}' found`, name, [...byLong.keys()], (c) => `--${c}`));
      if (takesValue(o)) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw usageError(path, `a value is required for '--${name} <${o.value ?? "VALUE"}>' but none was supplied`);
        set(o, v, `--${name}`);
      } else {
        if (eq >= 0) throw usageError(path, `unexpected value '${a.slice(eq + 1)}' for '--${name}' found; no more were expected`);
        set(o, undefined, `--${name}`);
      }
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const o = byShort.get(c);
        if (!o) throw usageError(path, `unexpected argument '-${c}' found`);
        if (takesValue(o)) {
          let v: string | undefined = a.slice(j + 1);
          if (v.startsWith("=")) v = v.slice(1);
          if (v === "") v = argv[++i];
          if (v === undefined) throw usageError(path, `a value is required for '-${c} <${o.value ?? "VALUE"}>' but none was supplied`);
          set(o, v, `-${c}`);
          break;
        }
        set(o, undefined, `-${c}`);
      }
      continue;
    }
    if (hasSubs) {
      const subs = spec.subcommands!;
      if (a === "help") throw new HelpRequested(helpFor(spec, argv.slice(i + 1), path, globals ?? spec.options));
      const s = subs.find((c) => c.name === a);
      if (!s) throw unknownSubcommand(path, a, subs);
      sub = parseArgs(s, argv.slice(i + 1), `${path} ${a}`, root ?? spec);
      break;
    }
    positionals.push(a);
  }

  for (const o of opts) {
    for (const c of o.conflicts ?? []) {
      if (given.has(o.long) && given.has(c)) throw usageError(path, `the argument '--${o.long}' cannot be used with '--${c}'`);
    }
  }
  if (hasSubs && !sub) throw usageError(path, `'${path}' requires a subcommand`);

  const pos: Record<string, string | string[] | undefined> = {};
  const specs = spec.positionals ?? [];
  let p = 0;
  for (const ps of specs) {
    if (ps.variadic) {
      pos[ps.name] = positionals.slice(p);
      p = positionals.length;
      if (ps.required && (pos[ps.name] as string[]).length === 0) {
        throw usageError(path, `the following required arguments were not provided: <${ps.name}>...`);
      }
    } else {
      pos[ps.name] = positionals[p];
      if (ps.choices && positionals[p] !== undefined && !ps.choices.includes(positionals[p]!)) {
        throw usageError(path, `invalid value '${positionals[p]}' for '<${ps.name}>': possible values are ${ps.choices.join(", ")}`);
      }
      if (positionals[p] !== undefined) p++;
      else if (ps.required) throw usageError(path, `the following required arguments were not provided: <${ps.name}>`);
    }
  }
  if (p < positionals.length) throw usageError(path, `unexpected argument '${positionals[p]}' found`);
  const parsed = { spec, options, positionals: pos, root: root ?? spec };
  return sub ? { ...parsed, sub } : parsed;
}

/** `help [COMMAND [SUBCOMMAND]]`: the help of the command named by `names` under `spec`, as its --help gives it. */
function helpFor(spec: CommandSpec, names: readonly string[], path: string, globals: readonly OptSpec[] | undefined): string {
  const [name, ...rest] = names;
  if (name === undefined || !spec.subcommands?.length) return renderHelp(spec, path, spec.options === globals ? undefined : globals);
  const s = spec.subcommands.find((c) => c.name === name);
  if (!s) throw unknownSubcommand(path, name, spec.subcommands);
  return helpFor(s, rest, `${path} ${name}`, globals);
}

const optionLabel = (o: OptSpec): string =>
  `${o.short ? `-${o.short}, ` : "    "}--${o.long}${takesValue(o) ? ` <${o.value ?? "VALUE"}>` : ""}`;

/** An options section: each label padded to `width`, then its help (continued lines indented alike). */
function optionLines(opts: readonly OptSpec[], width: number): string[] {
  const lines: string[] = [];
  for (const o of opts) {
    const [first, ...rest] = o.help.split("\n");
    lines.push(`  ${optionLabel(o).padEnd(width)}  ${first}`);
    for (const r of rest) lines.push(`  ${"".padEnd(width)}  ${r}`);
  }
  return lines;
}

/** The --help text of a command; a subcommand's also lists the `globals` (given before the command). */
export function renderHelp(spec: CommandSpec, path: string, globals?: readonly OptSpec[]): string {
  const lines: string[] = [spec.about, ""];
  const pos = spec.positionals ?? [];
  const subs = spec.subcommands ?? [];
  const usage = [path, "[OPTIONS]"];
  if (subs.length) usage.push("<COMMAND>");
  for (const p of pos) usage.push((p.required ? `<${p.name}>` : `[${p.name}]`) + (p.variadic ? "..." : ""));
  lines.push(`Usage: ${usage.join(" ")}`);
  if (subs.length) {
    lines.push("", "Commands:");
    const listed = [...subs, HELP_COMMAND];
    const w = Math.max(...listed.map((s) => s.name.length));
    for (const s of listed) lines.push(`  ${s.name.padEnd(w)}  ${s.about.split("\n")[0]}`);
  }
  if (pos.length) {
    lines.push("", "Arguments:");
    const w = Math.max(...pos.map((p) => p.name.length + 2 + (p.variadic ? 3 : 0)));
    for (const p of pos) lines.push(`  ${`<${p.name}>${p.variadic ? "..." : ""}`.padEnd(w)}  ${p.help}`);
  }
  const opts = optionsOf(spec);
  const w = Math.max(...[...opts, ...(globals ?? [])].map((o) => optionLabel(o).length));
  lines.push("", "Options:", ...optionLines(opts, w));
  if (globals?.length) lines.push("", `Global options (give them before the command: ${path.replace(/ /, " [OPTIONS] ")} ...):`, ...optionLines(globals, w));
  if (spec.details) lines.push("", spec.details);
  return lines.join("\n") + "\n";
}
