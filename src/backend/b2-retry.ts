/**
 * The B2 retry policy (bounded, unlike backpak's retry-forever): transient failures are retried
 * with exponential backoff, an expired token is renewed and retried at once, and anything else, or
 * the last attempt, fails with a BackpakError.
 */
import { BackpakError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { B2Failure } from "./b2-http.ts";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The first pause; each later one doubles it (the unit B2's Retry-After seconds are counted in, too). */
  readonly unitMs: number;
  /** The longest pause, in units. */
  readonly maxUnits: number;
}

/** Pauses of 1, 2, 4, 8 and 16 s between six attempts. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, unitMs: 1000, maxUnits: 30 };

/** The default policy, with `unitMs` from `text` (BACKPAK_B2_RETRY_MS, a test hook) when that is set. */
export function retryPolicyFromEnv(text: string | undefined): RetryPolicy {
  if (text === undefined) return DEFAULT_RETRY_POLICY;
  const unitMs = Number(text);
  if (text.trim() === "" || !Number.isFinite(unitMs) || unitMs < 0) {
    throw new BackpakError("usage", `BACKPAK_B2_RETRY_MS must be a number of milliseconds, not ${JSON.stringify(text)}`);
  }
  return { ...DEFAULT_RETRY_POLICY, unitMs };
}

/** The pause after failed attempt number `attempt` (1-based), stretched to B2's Retry-After if it asked for longer. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfter = 0): number {
  return Math.min(Math.max(2 ** (attempt - 1), retryAfter), policy.maxUnits) * policy.unitMs;
}

/** Runs `attempt` until it succeeds or the policy gives up; `what` names the operation when it does. */
export async function withRetries<T>(what: string, policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> {
  let renewed = false;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof B2Failure)) throw err;
      if (err.retry === "never") throw new BackpakError(err.errorKind, err.message, errorHint(err));
      if (n >= policy.attempts) {
        throw new BackpakError("io", `Gave up on ${what} after ${n} attempts`, {
          cause: err,
          hint: "B2 or the network to it is having trouble; try again later (an interrupted backup resumes)",
        });
      }
      log.warn(`${err.message}, retrying`);
      // The session has already forgotten the expired token; the next attempt gets a fresh one.
      if (err.retry === "renew" && !renewed) {
        renewed = true;
        continue;
      }
      await Bun.sleep(retryDelayMs(policy, n, err.retryAfter));
    }
  }
}

function errorHint(err: B2Failure): { hint?: string } {
  return err.errorKind === "usage" ? { hint: "check key_id, application_key and bucket in the repository's config file" } : {};
}
