/**
 * Fault injection for tests: $BACKPAK_FAULT = "<job>:<n>:<mode>" makes the n-th job of that kind
 * on each worker fail ("throw"), kill its worker mid-job ("die"), or never finish ("stall", so a
 * test can interrupt a run that is certainly mid-way). Jobs: cut-hash, hash, compress, decompress.
 */
import { BackpakError } from "../lib/errors.ts";
import { JobType } from "./protocol.ts";
import type { FaultPlan } from "./worker-init.ts";

const JOBS: Record<string, number> = { "cut-hash": JobType.CutHash, hash: JobType.Hash, compress: JobType.Compress, decompress: JobType.Decompress };

export function faultPlanFromEnv(env: NodeJS.ProcessEnv = process.env): FaultPlan | undefined {
  const spec = env.BACKPAK_FAULT;
  if (!spec) return undefined;
  const [job, n, mode] = spec.split(":");
  const type = JOBS[job ?? ""];
  const after = Number(n);
  if (type === undefined || !Number.isInteger(after) || after < 1 || (mode !== "throw" && mode !== "die" && mode !== "stall")) {
    throw new BackpakError("usage", `BACKPAK_FAULT=${spec} should be <cut-hash|hash|compress|decompress>:<n>:<throw|die|stall>`);
  }
  return { job: type, after, mode };
}
