/** The one error base of the project: every failure a user can see carries a kind, a hint and a cause. */

/** What went wrong, coarsely: lets the CLI pick an exit code and tests assert on the class of failure. */
export type ErrorKind =
  | "usage" // the command line or a config file is wrong
  | "not-found" // a path, object or snapshot does not exist
  | "no-repository" // there is no repository where one was asked for (exit status 10)
  | "corrupt" // an object does not decode or does not hash to its ID
  | "io" // the operating system refused a read or write
  | "conflict" // the repository or working directory is in a state that forbids the operation
  | "locked" // another command holds a conflicting lock on the repository
  | "internal"; // a bug: an invariant of this program does not hold

export class BackpakError extends Error {
  readonly kind: ErrorKind;
  /** What the user can do about it, or undefined when there is nothing to suggest. */
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BackpakError";
    this.kind = kind;
    this.hint = options.hint;
  }
}

/** Wraps `err` with a message that says what was being done, keeping `err` as the cause. */
export function context(kind: ErrorKind, message: string, err: unknown, hint?: string): BackpakError {
  const opts: { cause: unknown; hint?: string } = { cause: err };
  if (hint !== undefined) opts.hint = hint;
  else if (err instanceof BackpakError && err.hint !== undefined) opts.hint = err.hint;
  return new BackpakError(kind, message, opts);
}

/** Runs `fn`, wrapping anything it throws with `message` (like anyhow's `with_context`). */
export function withContext<T>(message: string | (() => string), fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const kind = err instanceof BackpakError ? err.kind : "io";
    throw context(kind, typeof message === "string" ? message : message(), err);
  }
}

/** Like withContext, for async work. */
export async function withContextAsync<T>(message: string | (() => string), fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const kind = err instanceof BackpakError ? err.kind : "io";
    throw context(kind, typeof message === "string" ? message : message(), err);
  }
}

/** Throws an internal error when `cond` is false: for invariants, never for user input. */
export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new BackpakError("internal", message);
}

/** The chain of messages from `err` down through its causes, outermost first. */
export function causeChain(err: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && depth < 32; depth++) {
    if (cur instanceof Error) {
      out.push(describeError(cur));
      cur = cur.cause;
    } else {
      out.push(String(cur));
      break;
    }
  }
  return out;
}

function describeError(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code && !(e instanceof BackpakError)) {
    // Node's messages already read "ENOENT: no such file or directory, open 'x'"
    return e.message;
  }
  return e.message;
}
