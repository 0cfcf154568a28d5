/**
 * `npm run release` (scripts/release.ts), built once into a temporary directory: both executables
 * verify against their .sha256 files, report the glibc they need, and each backs up and restores
 * a small tree byte for byte: the x64 one natively, the arm64 one under qemu-user with Debian's
 * arm64 glibc (skipped, saying so, where qemu-user-static or libc6-arm64-cross is missing).
 */
import { beforeAll, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "../helpers/random.ts";
import { cleanUpAfterThisFile, contentsOf, REPO_ROOT, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

const QEMU = Bun.which("qemu-aarch64-static");
const ARM64_LIBC = "/usr/aarch64-linux-gnu";
const canRunArm64 = QEMU !== null && fs.existsSync(path.join(ARM64_LIBC, "lib"));

let out = "";
let report = "";

beforeAll(() => {
  out = tempDir("release");
  const r = Bun.spawnSync({ cmd: [process.execPath, "scripts/release.ts", "--out", out], cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  report = r.stdout.toString();
  if (r.exitCode !== 0) throw new Error(`npm run release failed (exit ${r.exitCode}):\n${report}\n${r.stderr.toString()}`);
});

/** A small tree: a multi-chunk file (so the WASM chunker and the workers run), small files, a symlink, a Unicode name. */
function smallTree(): string {
  const root = path.join(tempDir("release-src"), "data");
  fs.mkdirSync(path.join(root, "sub/été"), { recursive: true });
  fs.writeFileSync(path.join(root, "big.bin"), randomBytes(7, 3_000_000));
  fs.writeFileSync(path.join(root, "note.txt"), "backed up by a release binary\n");
  fs.writeFileSync(path.join(root, "sub/été/naïve.txt"), randomBytes(8, 10_000));
  fs.writeFileSync(path.join(root, "sub/empty"), "");
  fs.symlinkSync("../note.txt", path.join(root, "sub/link"));
  return root;
}

/** Runs init, backup and restore with `launch` + the executable, from / with an empty environment; returns the restored tree. */
function roundTrip(launch: readonly string[]): { tree: string; restored: string } {
  const dir = tempDir("release-run");
  const tree = smallTree();
  const restored = path.join(dir, "out");
  for (const args of [["init", "filesystem"], ["backup", tree], ["restore", "-o", restored, "LAST"]]) {
    const cmd = [...launch, "-C", dir, "--config", "", "-r", path.join(dir, "repo"), ...args];
    const r = Bun.spawnSync({ cmd, cwd: "/", env: {}, stdout: "pipe", stderr: "pipe" });
    expect({ args, code: r.exitCode, stderr: r.exitCode === 0 ? "" : r.stderr.toString() }).toEqual({ args, code: 0, stderr: "" });
  }
  return { tree, restored };
}

/** A glibc version as major.minor.patch (`2.17` → `2.17.0`), for Bun.semver. */
const asSemver = (v: string): string => [...v.split("."), "0", "0"].slice(0, 3).join(".");

/** The ELF machine field of a file: 62 is x86-64, 183 is AArch64. */
const elfMachine = (file: string): number => fs.readFileSync(file).readUInt16LE(18);

test("each release executable has a .sha256 file that `sha256sum -c` verifies", () => {
  for (const name of ["backpak-linux-x64", "backpak-linux-arm64"]) {
    const r = Bun.spawnSync({ cmd: ["sha256sum", "-c", `${name}.sha256`], cwd: out, stdout: "pipe", stderr: "pipe" });
    expect({ code: r.exitCode, out: r.stdout.toString() }).toEqual({ code: 0, out: `${name}: OK\n` });
  }
  expect([elfMachine(path.join(out, "backpak-linux-x64")), elfMachine(path.join(out, "backpak-linux-arm64"))]).toEqual([62, 183]);
});

test.skipIf(Bun.which("readelf") === null)("the glibc version each needs is printed, and is the newest GLIBC_ version readelf finds in it", () => {
  for (const name of ["backpak-linux-x64", "backpak-linux-arm64"]) {
    const r = Bun.spawnSync({ cmd: ["readelf", "-V", "-W", path.join(out, name)], stdout: "pipe" });
    const versions = [...r.stdout.toString().matchAll(/GLIBC_([0-9.]+)/g)].map((m) => m[1]!);
    const newest = versions.sort((a, b) => Bun.semver.order(asSemver(a), asSemver(b))).at(-1);
    expect(newest).toMatch(/^2\.[0-9]+$/);
    expect(report).toContain(`${name} (and ${name}.sha256): needs glibc ${newest} or newer`);
  }
});

test("the x64 executable backs up and restores a small tree byte for byte", () => {
  const { tree, restored } = roundTrip([path.join(out, "backpak-linux-x64")]);
  expect(contentsOf(restored)).toEqual(contentsOf(tree));
});

test.skipIf(!canRunArm64)("the arm64 executable backs up and restores a small tree byte for byte under qemu-aarch64-static (skipped without qemu-user-static and libc6-arm64-cross)", () => {
  const { tree, restored } = roundTrip([QEMU!, "-L", ARM64_LIBC, path.join(out, "backpak-linux-arm64")]);
  expect(contentsOf(restored)).toEqual(contentsOf(tree));
});
