/** The command lines of each benchmarked tool (ours, restic, borg) for one run: init, backup, restore, where the restore lands, and a private home and cache. */
import path from "node:path";
import type { ToolName } from "./options.ts";
import { aptInstall, sh } from "./system.ts";

export interface Command {
  cmd: string[];
  cwd?: string;
}

export interface Tool {
  name: ToolName;
  env: Record<string, string>;
  init: Command;
  /** The n-th backup (1 initial, 2 no change, 3 incremental). */
  backup(n: number): Command;
  restore(out: string): Command;
  /** Where a restore into `out` puts the backed-up source tree. */
  restored(out: string): string;
}

/** Where one tool's run happens: its binary, repository, the source tree and a scratch dir of its own. */
export interface RunDirs {
  bin: string;
  repo: string;
  src: string;
  scratch: string;
}

/** A fresh home, config and cache for the tool, so runs never share caches. */
export function privateEnv(scratch: string, extra: Record<string, string>): Record<string, string> {
  const home = path.join(scratch, "home");
  return {
    ...(process.env as Record<string, string>),
    HOME: home,
    XDG_CACHE_HOME: path.join(home, ".cache"),
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local/share"),
    ...extra,
  };
}

export function makeTool(name: ToolName, d: RunDirs): Tool {
  switch (name) {
    case "ours": {
      const ours = (...args: string[]): Command => ({ cmd: [d.bin, "-C", d.scratch, "--config", "", "-r", d.repo, ...args] });
      return {
        name,
        env: privateEnv(d.scratch, {}),
        init: ours("init", "filesystem"),
        backup: () => ours("backup", d.src),
        // restic and borg restore times and modes by default; ask ours for the same work.
        restore: (out) => ours("restore", "--times", "--permissions", "--output", out, "LAST"),
        restored: (out) => out,
      };
    }
    case "restic": {
      const restic = (...args: string[]): Command => ({ cmd: ["restic", "-q", "-r", d.repo, ...args] });
      return {
        name,
        env: privateEnv(d.scratch, { RESTIC_PASSWORD: "bench", RESTIC_CACHE_DIR: path.join(d.scratch, "restic-cache") }),
        init: restic("init"),
        backup: () => restic("backup", d.src),
        restore: (out) => restic("restore", "latest", "--target", out),
        restored: (out) => path.join(out, d.src),
      };
    }
    case "borg":
      return {
        name,
        env: privateEnv(d.scratch, {
          BORG_BASE_DIR: path.join(d.scratch, "borg-base"),
          BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: "yes",
          BORG_RELOCATED_REPO_ACCESS_IS_OK: "yes",
        }),
        init: { cmd: ["borg", "init", "--encryption", "none", d.repo] },
        // zstd level 3 is what ours and restic use; borg's default is lz4.
        backup: (n) => ({ cmd: ["borg", "create", "--compression", "zstd,3", `${d.repo}::s${n}`, d.src] }),
        restore: (out) => ({ cmd: ["borg", "extract", `${d.repo}::s3`], cwd: out }),
        restored: (out) => path.join(out, d.src),
      };
  }
}

/** Installs restic or borg with apt-get if missing; returns the tool's version line. */
export function ensureTool(name: ToolName, bin: string): string {
  if (name === "ours") return sh([bin, "--version"], { quiet: true }).trim();
  const exe = name === "restic" ? "restic" : "borg";
  if (Bun.which(exe) === null) aptInstall(name === "restic" ? "restic" : "borgbackup");
  return sh([exe, name === "restic" ? "version" : "--version"], { quiet: true }).trim();
}
