/** Reads TOML config files with Bun's parser, naming the file in errors. */
import { BackpakError, type ErrorKind } from "../lib/errors.ts";

/** Parses `text` as a TOML table; `where` names the file; `kind` is the error kind for bad content. */
export function parseTomlTable(text: string, where: string, kind: ErrorKind): { raw: Record<string, unknown>; bad: (msg: string) => never } {
  let raw: Record<string, unknown>;
  try {
    raw = Bun.TOML.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new BackpakError(kind, `Couldn't parse ${where}`, { cause: err });
  }
  const bad = (msg: string): never => {
    throw new BackpakError(kind, `${where}: ${msg}`);
  };
  return { raw, bad };
}

/** A TOML basic string. */
export function tomlString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
