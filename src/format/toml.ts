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

const isTable = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Wraps a parsed table so that reading a key records it: `unread` then lists, dotted, the keys no
 * reader looked at (in tables that were read), which is how a misspelt or damaged key shows.
 */
export function trackReads(table: Record<string, unknown>): { table: Record<string, unknown>; unread: () => string[] } {
  const read = new Map<string, ReturnType<typeof trackReads> | undefined>();
  const proxy = new Proxy(table, {
    get(target, key) {
      const value = target[key as string];
      if (typeof key !== "string" || !Object.hasOwn(target, key)) return value;
      if (!read.has(key)) read.set(key, isTable(value) ? trackReads(value) : undefined);
      return read.get(key)?.table ?? value;
    },
  });
  const unread = (): string[] =>
    Object.keys(table).flatMap((k) => {
      if (!read.has(k)) return [k];
      return (read.get(k)?.unread() ?? []).map((sub) => `${k}.${sub}`);
    });
  return { table: proxy, unread };
}

/** A TOML basic string. */
export function tomlString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `table[key]` as a non-empty string, or undefined when it is absent; anything else is `bad` (which throws naming the file). */
export function optionalString(table: Record<string, unknown>, key: string, where: string, bad: (msg: string) => never): string | undefined {
  const v = table[key];
  if (v === undefined) return undefined;
  return typeof v === "string" && v !== "" ? v : bad(`${where}.${key} must be a non-empty string`);
}

/** `key = "value"` lines for the pairs whose value is set. */
export function stringLines(pairs: readonly (readonly [string, string | undefined])[]): string[] {
  return pairs.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} = ${tomlString(v!)}`);
}
