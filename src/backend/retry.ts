/**
 * The retry policy of remote backends (bounded, unlike backpak's retry-forever): transient failures
 * are retried with exponential backoff and jitter, an expired token is renewed and retried at once,
 * and anything else, or the last attempt, fails with a BackpakError.
 */
import { BackpakError, type ErrorKind } from "../lib/errors.ts";
import { log } from "../lib/log.ts";

/**
 * What the retry policy may do about a failure: "transient" (network trouble, throttling, 5xx) is
 * retried after a pause, "renew" (an expired token) at once with a new token, "never" not at all.
 */
export type Retry = "transient" | "renew" | "never";

/** One failed attempt at a request to a remote store; its message names the operation, never a secret. */
export class RemoteFailure extends Error {
  constructor(
    message: string,
    readonly retry: Retry,
    /** The kind of the BackpakError reported when this failure is final. */
    readonly errorKind: ErrorKind = "io",
    /** The server's Retry-After, in seconds, when it sent one. */
    readonly retryAfter?: number,
    /** The server's error code (e.g. B2's "file_not_present", S3's "NoSuchKey"), when its reply had one. */
    readonly code?: string,
    /** What to check, when this failure says more than the backend's usual hints. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = "RemoteFailure";
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The first pause; each later one doubles it (the unit Retry-After seconds are counted in, too). */
  readonly unitMs: number;
  /** The longest pause, in units. */
  readonly maxUnits: number;
}

/** Pauses of up to 1, 2, 4, 8 and 16 s between six attempts. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, unitMs: 1000, maxUnits: 30 };

/** What to tell the user when a remote store's failure is final. */
export interface RetryHints {
  /** For a failure of kind "usage" (wrong credentials and the like): what to check. */
  readonly usage: string;
  /** When the attempts ran out: who is having trouble. */
  readonly giveUp: string;
}

/** The default policy, with `unitMs` from the environment variable `name` (a test hook) when that is set. */
export function retryPolicyFromEnv(name: string, text: string | undefined = process.env[name]): RetryPolicy {
  if (text === undefined) return DEFAULT_RETRY_POLICY;
  const unitMs = Number(text);
  if (text.trim() === "" || !Number.isFinite(unitMs) || unitMs < 0) {
    throw new BackpakError("usage", `${name} must be a number of milliseconds, not ${JSON.stringify(text)}`);
  }
  return { ...DEFAULT_RETRY_POLICY, unitMs };
}

/** The longest pause after failed attempt number `attempt` (1-based), stretched to the server's Retry-After if it asked for longer. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfter = 0): number {
  return Math.min(Math.max(2 ** (attempt - 1), retryAfter), policy.maxUnits) * policy.unitMs;
}

/**
 * The pause actually taken: a random point in the upper half of `retryDelayMs` ("equal jitter"), so
 * that many clients throttled at once don't all come back at once; never shorter than Retry-After.
 */
export function jitteredDelayMs(policy: RetryPolicy, attempt: number, retryAfter = 0, random: () => number = Math.random): number {
  const longest = retryDelayMs(policy, attempt, retryAfter);
  const asked = Math.min(retryAfter, policy.maxUnits) * policy.unitMs;
  return Math.max(asked, longest / 2 + (random() * longest) / 2);
}

/** Runs `attempt` until it succeeds or the policy gives up; `what` names the operation when it does. */
export async function withRetries<T>(what: string, policy: RetryPolicy, hints: RetryHints, attempt: () => Promise<T>): Promise<T> {
  let renewed = false;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof RemoteFailure)) throw err;
      if (err.retry === "never") {
        const hint = err.hint ?? (err.errorKind === "usage" ? hints.usage : undefined);
        throw new BackpakError(err.errorKind, err.message, hint === undefined ? {} : { hint });
      }
      if (n >= policy.attempts) {
        throw new BackpakError("io", `Gave up on ${what} after ${n} attempts`, {
          cause: err,
          hint: `${hints.giveUp} is having trouble; try again later (an interrupted backup resumes)`,
        });
      }
      log.warn(`${err.message}, retrying`);
      // The session has already forgotten the expired token; the next attempt gets a fresh one.
      if (err.retry === "renew" && !renewed) {
        renewed = true;
        continue;
      }
      await Bun.sleep(jitteredDelayMs(policy, n, err.retryAfter));
    }
  }
}
