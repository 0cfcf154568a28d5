/**
 * Fault injection for tests: $BACKPAK_FAULT = "<job>:<n>:<mode>" makes the n-th job of that kind
 * on each worker fail ("throw"), kill its worker mid-job ("die"), never finish ("stall", so a
 * test can interrupt a run that is certainly mid-way), or wait until the file named by
 * $BACKPAK_FAULT_RELEASE exists or its directory is gone ("hold", so a test can run other commands
 * while this one is certainly mid-way, then let it finish). Jobs: cut-hash, hash, compress, decompress.
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
  if (type === undefined || !Number.isInteger(after) || after < 1 || (mode !== "throw" && mode !== "die" && mode !== "stall" && mode !== "hold")) {
    throw new BackpakError("usage", `BACKPAK_FAULT=${spec} should be <cut-hash|hash|compress|decompress>:<n>:<throw|die|stall|hold>`);
  }
  if (mode !== "hold") return { job: type, after, mode };
  const release = env.BACKPAK_FAULT_RELEASE;
  if (!release) throw new BackpakError("usage", `BACKPAK_FAULT=${spec} needs BACKPAK_FAULT_RELEASE=<file>, whose creation lets the job go on`);
  return { job: type, after, mode, release };
}
