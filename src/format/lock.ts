/**
 * Lock objects (`locks/<id>`, our extension to backpak's format, which ignores them): a small UTF-8
 * JSON object saying who holds a repository lock, shared or exclusive, since when, and when it was
 * last refreshed. Times are ISO-8601 UTC strings. The object's ID is the SHA-224 of these bytes.
 */
import { BackpakError } from "../lib/errors.ts";

export const LOCK_VERSION = 1;

export interface Lock {
  /** The host name of the machine running the command. */
  readonly host: string;
  readonly pid: number;
  readonly user: string;
  /** The command holding the lock (`backup`, `prune`, …). */
  readonly command: string;
  readonly exclusive: boolean;
  /** When the command took the lock (ms since the epoch). */
  readonly created: number;
  /** When the lock was last written (ms since the epoch); a running command refreshes it. */
  readonly refreshed: number;
}

/** The lock's bytes, with a fixed key order so equal locks get equal IDs. */
export function encodeLock(lock: Lock): Uint8Array {
  const json = {
    version: LOCK_VERSION,
    host: lock.host,
    pid: lock.pid,
    user: lock.user,
    command: lock.command,
    exclusive: lock.exclusive,
    created: new Date(lock.created).toISOString(),
    refreshed: new Date(lock.refreshed).toISOString(),
  };
  return new TextEncoder().encode(`${JSON.stringify(json)}\n`);
}

/** Decodes a lock object's bytes; `what` names it in errors. */
export function decodeLock(bytes: Uint8Array, what: string): Lock {
  const bad = (why: string, cause?: unknown): never => {
    throw new BackpakError("corrupt", `${what} isn't a lock: ${why}`, { cause, hint: "`backpak unlock --remove-all` removes it, once no other backpak command runs on this repository" });
  };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    return bad("not UTF-8 JSON", err);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return bad("not a JSON object");
  const o = json as Record<string, unknown>;
  if (o.version !== LOCK_VERSION) return bad(`version ${JSON.stringify(o.version)}, expected ${LOCK_VERSION}`);
  const text = (key: string): string => (typeof o[key] === "string" ? (o[key] as string) : bad(`"${key}" should be a string`));
  const time = (key: string): number => {
    const ms = Date.parse(text(key));
    return Number.isFinite(ms) ? ms : bad(`"${key}" should be an ISO-8601 time`);
  };
  const pid = o.pid;
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return bad('"pid" should be a positive integer');
  if (typeof o.exclusive !== "boolean") return bad('"exclusive" should be true or false');
  return { host: text("host"), pid, user: text("user"), command: text("command"), exclusive: o.exclusive, created: time("created"), refreshed: time("refreshed") };
}
