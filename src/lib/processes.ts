/** Whether a process of this machine still exists, for deciding that what it left behind (temporary files, locks) is abandoned. */

/** True unless no process `pid` exists on this machine (another user's process counts as existing). */
export function processExists(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user's process.
    return (err as { code?: string }).code !== "ESRCH";
  }
}
