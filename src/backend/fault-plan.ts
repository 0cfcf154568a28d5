/**
 * The grammar of $BACKPAK_BACKEND_FAULT, the backend faults tests and stress scripts inject
 * (read once, when the first backend is built; see faulty.ts):
 *
 *   BACKPAK_BACKEND_FAULT = RULE[,RULE...]
 *   RULE  = append-only | OP:PREFIX:CALLS:KIND
 *   OP    = read | openRange | put | remove | list
 *   PREFIX  the rule meets calls whose key (for list: the prefix listed) starts with it; empty = all
 *   CALLS = N | N-M | N+ | *   which of the calls the rule meets, counted from 1 (N+: N and later)
 *   KIND  = EIO | ENOSPC      the call fails with that error and does nothing
 *         | timeout           the call fails as a backend's deadline would (ETIMEDOUT) and does nothing
 *         | hang              the call never settles (to interrupt a run at a known point)
 *         | short             put stores only the first half of the file and reports success;
 *                             read and openRange see only the first half of the object
 *         | lost              the call is done, then fails as if its reply were lost (ECONNRESET)
 *
 * `append-only` refuses every remove but of a lock object (under `locks/`), and every put of a key
 * that is already stored, with a permission error, as storage behind a key without delete rights
 * (but for its locks) does.
 *
 * Example: "put:packs/:3:EIO" fails the 3rd put of a pack.
 */
import { BackpakError } from "../lib/errors.ts";

export const FAULT_OPS = ["read", "openRange", "put", "remove", "list"] as const;
export type FaultOp = (typeof FAULT_OPS)[number];

export const FAULT_KINDS = ["EIO", "ENOSPC", "timeout", "hang", "short", "lost"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  readonly op: FaultOp;
  readonly prefix: string;
  /** The first and last call met (1-based; `last` is Infinity for "N+" and "*"). */
  readonly first: number;
  readonly last: number;
  readonly kind: FaultKind;
  /** Calls met so far by op and prefix (counted whether or not this one is faulted). */
  calls: number;
}

export interface FaultPlan {
  readonly rules: readonly FaultRule[];
  readonly appendOnly: boolean;
}

export const FAULT_ENV = "BACKPAK_BACKEND_FAULT";

const GRAMMAR = `${FAULT_ENV} should be "append-only" or <${FAULT_OPS.join("|")}>:<key prefix>:<N|N-M|N+|*>:<${FAULT_KINDS.join("|")}>, several joined by commas`;

/** The plan `text` describes; undefined when it is unset or empty. */
export function parseFaultPlan(text: string | undefined): FaultPlan | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const rules: FaultRule[] = [];
  let appendOnly = false;
  for (const part of text.split(",")) {
    if (part.trim() === "append-only") {
      appendOnly = true;
      continue;
    }
    rules.push(parseRule(part));
  }
  return { rules, appendOnly };
}

function parseRule(text: string): FaultRule {
  const fields = text.split(":");
  const [op, prefix, calls, kind] = fields;
  const range = parseCalls(calls ?? "");
  if (fields.length !== 4 || !isOneOf(FAULT_OPS, op) || !isOneOf(FAULT_KINDS, kind) || range === undefined) {
    throw new BackpakError("usage", `Can't parse the rule ${JSON.stringify(text)} of ${FAULT_ENV}`, { hint: GRAMMAR });
  }
  if (kind === "short" && op !== "put" && op !== "read" && op !== "openRange") {
    throw new BackpakError("usage", `A short ${op} makes no sense in the rule ${JSON.stringify(text)} of ${FAULT_ENV}`, { hint: "short applies to put, read and openRange" });
  }
  return { op, prefix: prefix!, first: range[0], last: range[1], kind, calls: 0 };
}

function parseCalls(text: string): [number, number] | undefined {
  if (text === "*") return [1, Infinity];
  const m = /^(\d+)(?:(\+)|-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = m[2] ? Infinity : m[3] !== undefined ? Number(m[3]) : first;
  return first >= 1 && last >= first ? [first, last] : undefined;
}

function isOneOf<T extends string>(all: readonly T[], value: string | undefined): value is T {
  return (all as readonly (string | undefined)[]).includes(value);
}

/** Counts a call of `op` on `key` against every rule and returns the fault it meets, if any (the first rule that faults it wins). */
export function faultFor(plan: FaultPlan, op: FaultOp, key: string): FaultKind | undefined {
  let hit: FaultKind | undefined;
  for (const rule of plan.rules) {
    if (rule.op !== op || !key.startsWith(rule.prefix)) continue;
    rule.calls++;
    if (hit === undefined && rule.calls >= rule.first && rule.calls <= rule.last) hit = rule.kind;
  }
  return hit;
}
