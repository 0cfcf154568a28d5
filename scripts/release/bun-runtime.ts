/**
 * Gets the Bun runtime of a release's platform to compile on: fetched once with `npm pack` from
 * npm's registry (Bun publishes each platform's runtime there as @oven/bun-<os>-<arch>) into
 * node_modules/.cache/backpak-release, so nothing but npm and its registry is needed.
 */
import { $ } from "bun";
import fs from "node:fs";
import path from "node:path";
import { moveFile, randomTag } from "../../src/lib/fsutil.ts";

const root = path.resolve(import.meta.dir, "../..");
const CACHE = path.join(root, "node_modules/.cache/backpak-release");

/** Path of the `bun` executable of npm package `pkg` (e.g. `@oven/bun-linux-aarch64`) at `version`, fetching it if needed. */
export async function bunRuntime(pkg: string, version: string): Promise<string> {
  const cached = path.join(CACHE, `${pkg.replace("/", "+")}-${version}`, "bun");
  if (fs.existsSync(cached)) return cached;
  const scratch = path.join(CACHE, `fetch-${randomTag()}`);
  fs.mkdirSync(scratch, { recursive: true });
  try {
    const spec = `${pkg}@${version}`;
    const packed = await $`npm pack ${spec} --pack-destination ${scratch} --silent`.cwd(scratch).nothrow().quiet();
    if (packed.exitCode !== 0) {
      throw new Error(`npm pack ${spec} failed (${packed.stderr.toString().trim()}): check that npm can reach its registry (npm ping)`);
    }
    const tarball = path.join(scratch, packed.stdout.toString().trim().split("\n").at(-1)!);
    await $`tar -xzf ${tarball} -C ${scratch} package/bin/bun`.quiet();
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    moveFile(path.join(scratch, "package/bin/bun"), cached);
    return cached;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
