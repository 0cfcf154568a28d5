/**
 * A decorator that injects the faults of a FaultPlan (fault-plan.ts) into the backend it wraps:
 * errors, timeouts, hangs, short writes and lost replies on chosen calls, and an append-only mode
 * that refuses deletes and overwrites. Only tests and stress scripts turn it on, through
 * $BACKPAK_BACKEND_FAULT, so the compiled binary can be exercised as users run it.
 */
import fs from "node:fs";
import { LOCKS_DIR } from "../format/magic.ts";
import { BackpakError } from "../lib/errors.ts";
import type { Backend, ListedObject, RangeReader } from "./backend.ts";
import { FAULT_ENV, faultFor, type FaultKind, type FaultOp, type FaultPlan } from "./fault-plan.ts";

const VERBS: Record<FaultOp, string> = { read: "read", openRange: "open", put: "store", remove: "delete", list: "list" };

const ERRNO: Record<Exclude<FaultKind, "short" | "hang">, { code: string; text: string }> = {
  EIO: { code: "EIO", text: "i/o error" },
  ENOSPC: { code: "ENOSPC", text: "no space left on device" },
  timeout: { code: "ETIMEDOUT", text: "no reply before the deadline" },
  lost: { code: "ECONNRESET", text: "the reply was lost after the request was carried out" },
};

export class FaultyBackend implements Backend {
  constructor(
    readonly inner: Backend,
    readonly plan: FaultPlan,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  async read(key: string): Promise<Uint8Array> {
    const fault = await this.#before("read", key);
    const bytes = await this.inner.read(key);
    return this.#after(fault, "read", key, fault === "short" ? bytes.subarray(0, bytes.length >> 1) : bytes);
  }

  async openRange(key: string): Promise<RangeReader> {
    const fault = await this.#before("openRange", key);
    const r = await this.inner.openRange(key);
    return this.#after(fault, "openRange", key, fault === "short" ? shortened(r) : r);
  }

  async put(key: string, localPath: string): Promise<void> {
    const fault = await this.#before("put", key);
    if (this.plan.appendOnly && (await this.#exists(key))) {
      throw refused(`Couldn't store ${key} in ${this.description}: it exists, and this key may not overwrite objects (append-only)`);
    }
    if (fault === "short") halve(localPath);
    await this.inner.put(key, localPath);
    this.#after(fault, "put", key, undefined);
  }

  async remove(key: string): Promise<void> {
    const fault = await this.#before("remove", key);
    // Lock objects are the one thing an append-only key may delete (see the README's policy).
    if (this.plan.appendOnly && !key.startsWith(`${LOCKS_DIR}/`)) {
      throw refused(`Couldn't delete ${key} in ${this.description}: this key lacks delete rights (append-only)`);
    }
    await this.inner.remove(key);
    this.#after(fault, "remove", key, undefined);
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const fault = await this.#before("list", prefix);
    return this.#after(fault, "list", prefix, await this.inner.list(prefix));
  }

  /** Counts the call; throws (or never settles) for faults that stop it before it is carried out. */
  async #before(op: FaultOp, key: string): Promise<FaultKind | undefined> {
    const fault = faultFor(this.plan, op, key);
    if (fault === "hang") await new Promise<never>(() => {});
    if (fault === "EIO" || fault === "ENOSPC" || fault === "timeout") throw injected(fault, op, key);
    return fault;
  }

  /** The call's result, unless its reply is to be lost. */
  #after<T>(fault: FaultKind | undefined, op: FaultOp, key: string, result: T): T {
    if (fault === "lost") throw injected(fault, op, key);
    return result;
  }

  async #exists(key: string): Promise<boolean> {
    try {
      (await this.inner.openRange(key)).close();
      return true;
    } catch (err) {
      if (err instanceof BackpakError && err.kind === "not-found") return false;
      throw err;
    }
  }
}

function injected(kind: Exclude<FaultKind, "short" | "hang">, op: FaultOp, key: string): BackpakError {
  const { code, text } = ERRNO[kind];
  const cause = Object.assign(new Error(`${code}: ${text} (injected by ${FAULT_ENV})`), { code });
  return new BackpakError("io", `Couldn't ${VERBS[op]} ${key}`, { cause });
}

function refused(message: string): BackpakError {
  return new BackpakError("io", message, {
    cause: Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" }),
    hint: "prune and forget delete objects: run them with a key or account that may delete (backup and copy don't need to)",
  });
}

/** Replaces the file with a new one holding its first half (a new file: the cache may hold a link to the old one). */
function halve(file: string): void {
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  fs.writeFileSync(file, bytes.subarray(0, bytes.length >> 1), { mode: 0o600 });
}

/** A reader of the object's first half only, as a truncated object would read. */
function shortened(r: RangeReader): RangeReader {
  const size = r.size >> 1;
  return {
    size,
    readInto: (target, position) => (position >= size ? 0 : r.readInto(target.subarray(0, Math.min(target.length, size - position)), position)),
    close: () => r.close(),
  };
}
