/** Small tmpfs mounts on fresh temporary directories, for tests that need a disk of their own (mounting needs root). */
import { tempDir } from "./tmp.ts";

/** Mounts a tmpfs of `mib` MiB on a new directory, or returns undefined when this process can't. */
export function mountSmallDisk(label: string, mib: number): string | undefined {
  const dir = tempDir(label);
  return Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${mib}m`, "tmpfs", dir], { stderr: "ignore" }).exitCode === 0 ? dir : undefined;
}

export function unmount(dir: string): void {
  Bun.spawnSync(["umount", dir]);
}

/** Makes the tmpfs mounted at `dir` `mib` MiB large (room for a run to resume). */
export function growSmallDisk(dir: string, mib: number): void {
  const r = Bun.spawnSync(["mount", "-o", `remount,size=${mib}m`, dir]);
  if (r.exitCode !== 0) throw new Error(`couldn't grow the tmpfs at ${dir}: ${r.stderr.toString()}`);
}

/** Runs `body` with a tmpfs of `mib` MiB mounted, unmounting it however `body` ends. */
export function withSmallDisk(label: string, mib: number, body: (disk: string) => void): void {
  const disk = mountSmallDisk(label, mib);
  if (disk === undefined) throw new Error(`couldn't mount a tmpfs for ${label}`);
  try {
    body(disk);
  } finally {
    unmount(disk);
  }
}

/** Whether this process can mount a tmpfs (tried once, on a 1 MiB probe). */
export const canMount = (() => {
  const probe = mountSmallDisk("probe", 1);
  if (probe !== undefined) unmount(probe);
  return probe !== undefined;
})();
