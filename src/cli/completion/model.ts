/**
 * What shell completion knows about each command, read from the CLI's own spec tree (the tables
 * --help is made from), so the completion scripts never drift from the commands.
 */
import { HELP_COMMAND, optionsOf, takesValue, type CommandSpec, type OptSpec } from "../args.ts";

export interface CompletionNode {
  /** The command words after the program's name, e.g. ["init", "s3"]; none for the top. */
  readonly words: readonly string[];
  readonly spec: CommandSpec;
  /** Its options, -h/--help included. */
  readonly options: readonly OptSpec[];
  /** Its subcommands (and `help` when it has any), with their one-line descriptions. */
  readonly subcommands: readonly { readonly name: string; readonly about: string }[];
}

/** The first line of a help text. */
export const firstLine = (text: string): string => text.split("\n")[0]!;

/** An option's spellings: `--long`, then `-s` if it has a short form. */
export const spellings = (o: OptSpec): string[] => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])];

/** The spellings of the options of `node` that are followed by a value (`--tag x`). */
export const valueSpellings = (node: CompletionNode): string[] => node.options.filter(takesValue).flatMap(spellings);

/** Whether `node`'s positional arguments are local paths. */
export const takesPaths = (node: CompletionNode): boolean => (node.spec.positionals ?? []).some((p) => p.path);

/** The values `node`'s positional arguments allow, when only some. */
export const argumentChoices = (node: CompletionNode): string[] => (node.spec.positionals ?? []).flatMap((p) => p.choices ?? []);

/** Every command under `root`, the top first, each before its subcommands. */
export function completionNodes(root: CommandSpec): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (spec: CommandSpec, words: readonly string[]): void => {
    const subs = spec.subcommands ?? [];
    const subcommands = subs.length > 0 ? [...subs, HELP_COMMAND].map((s) => ({ name: s.name, about: firstLine(s.about) })) : [];
    nodes.push({ words, spec, options: optionsOf(spec), subcommands });
    for (const s of subs) visit(s, [...words, s.name]);
  };
  visit(root, []);
  return nodes;
}
