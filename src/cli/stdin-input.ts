/** `backup --stdin NAME`'s input: standard input as a stream of blocks, refused when it is a terminal, NAME isn't one file name or paths are given too. */
import tty from "node:tty";
import { isFileName } from "../format/tree.ts";
import { UsageError } from "./args.ts";

export function stdinInput(name: string, paths: readonly string[]): AsyncIterable<Uint8Array> {
  if (!isFileName(name)) throw new UsageError("usage", `--stdin needs a file name, not ${JSON.stringify(name)}`, { hint: "give one name without /, e.g. --stdin db.sql" });
  if (paths.length > 0) throw new UsageError("usage", `--stdin ${name} stores standard input alone, so it can't be given paths too (${paths.join(", ")})`, { hint: "run one backup of the paths and another of standard input" });
  if (tty.isatty(0)) throw new UsageError("usage", `--stdin ${name} reads standard input, which is a terminal`, { hint: `pipe the data in, e.g. pg_dump db | backpak backup --stdin ${name}` });
  return Bun.stdin.stream();
}
