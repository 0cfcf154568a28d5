/** The machine around the benchmark: shell commands, the binary under test, apt-get installs, tmpfs mounts, sizes, and a description of the host. */
import fs from "node:fs";
import os from "node:os";

/** Runs a command to completion, throwing with its output when it fails. */
export function sh(cmd: string[], opts: { cwd?: string; quiet?: boolean } = {}): string {
  const r = Bun.spawnSync(cmd, { cwd: opts.cwd, stdout: "pipe", stderr: opts.quiet ? "pipe" : "inherit" });
  if (r.exitCode !== 0) {
    throw new Error(`${cmd.join(" ")} failed (exit ${r.exitCode}): ${r.stderr?.toString().trim() ?? ""}`);
  }
  return r.stdout.toString();
}

/** Builds dist/backpak with the project's build script when `bin` is that default binary and missing; any other missing binary is an error. */
export function ensureBinary(bin: string, isDefault: boolean, root: string): void {
  if (fs.existsSync(bin)) return;
  if (!isDefault) throw new Error(`no backpak binary at ${bin}; build it with \`npm run build\` or pass --bin`);
  console.error("building dist/backpak");
  sh([process.execPath, "scripts/build.ts"], { cwd: root });
}

let aptUpdated = false;

/** Installs Debian packages with apt-get, refreshing the package lists once if the first try fails. */
export function aptInstall(...packages: string[]): void {
  console.error(`installing ${packages.join(" ")} with apt-get`);
  const install = (): boolean =>
    Bun.spawnSync(["apt-get", "install", "-y", "-qq", ...packages], { stdout: "ignore", stderr: "inherit" }).exitCode === 0;
  if (install()) return;
  if (!aptUpdated) {
    aptUpdated = true;
    sh(["apt-get", "update", "-qq"]);
    if (install()) return;
  }
  throw new Error(`apt-get could not install ${packages.join(" ")}; install it yourself (or run as root) and retry`);
}

export const isRoot = (): boolean => process.getuid?.() === 0;

const mounted = new Set<string>();

/** Mounts a fresh tmpfs of `mib` MiB at `dir` (created if missing); false when that isn't allowed. */
export function mountTmpfs(dir: string, mib: number): boolean {
  fs.mkdirSync(dir, { recursive: true });
  const r = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${mib}m`, "tmpfs", dir], { stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) return false;
  mounted.add(dir);
  return true;
}

export function unmount(dir: string): void {
  if (!mounted.delete(dir)) return;
  const r = Bun.spawnSync(["umount", dir], { stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) {
    Bun.spawnSync(["umount", "-l", dir]);
  }
}

/** Unmounts every tmpfs this process mounted, innermost first. */
export function unmountAll(): void {
  for (const dir of [...mounted].reverse()) unmount(dir);
}

/** Disk usage of a tree in MiB, as `du` counts it (allocated blocks). */
export function duMiB(dir: string): number {
  return Number(sh(["du", "-sk", dir]).split("\t")[0]) / 1024;
}

/** Flushes dirty pages, so one step's writes aren't paid by the next step's clock. */
export function sync(): void {
  sh(["sync"]);
}

/** Reads every file under `dir`, so each tool starts with the source in the page cache. */
export function warm(dir: string): void {
  Bun.spawnSync(["sh", "-c", "find . -type f -print0 | xargs -0 cat > /dev/null"], { cwd: dir, stdout: "ignore", stderr: "ignore" });
}

/** Whether two trees have the same names, file contents and symlink targets. */
export function sameTree(a: string, b: string, log: string): boolean {
  const r = Bun.spawnSync(["diff", "-r", "-q", "--no-dereference", a, b], { stdout: "pipe", stderr: "pipe" });
  fs.writeFileSync(log, r.stdout.toString() + r.stderr.toString());
  return r.exitCode === 0;
}

/** One line naming the CPU, core count, memory and kernel. */
export function machine(): string {
  const cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown CPU";
  const memKiB = Number(/^MemTotal:\s*(\d+)/m.exec(fs.readFileSync("/proc/meminfo", "utf8"))?.[1] ?? 0);
  return `${model}, ${os.cpus().length} cores, ${(memKiB / 1024 / 1024).toFixed(1)} GiB RAM, Linux ${os.release()}`;
}

/** The checked-out commit, with "-dirty" when the work tree has changes. */
export function commit(root: string): string {
  try {
    const head = sh(["git", "rev-parse", "--short", "HEAD"], { cwd: root, quiet: true }).trim();
    const dirty = sh(["git", "status", "--porcelain", "--untracked-files=no"], { cwd: root, quiet: true }).trim() !== "";
    return head + (dirty ? "-dirty" : "");
  } catch {
    return "unknown";
  }
}
