/** Builds everything from source: the WASM kernels (build/*.wasm), then the single executable dist/backpak with its worker embedded. */
import { $ } from "bun";
import path from "node:path";
import { buildWasm } from "./build-wasm.ts";

const root = path.resolve(import.meta.dir, "..");

/** For a cross-compiled executable: Bun's `--target` and the Bun runtime of that platform to build it on. */
export interface CompileTarget {
  readonly target: string;
  readonly runtime: string;
}

/** Compiles the CLI into one executable at `outfile` (build/*.wasm must be built), for this machine or for `cross`. */
export async function compileExecutable(outfile: string, cross?: CompileTarget): Promise<void> {
  // Worker entry points must be named here so the executable embeds them.
  const entries = [path.join(root, "src/cli/main.ts"), path.join(root, "src/workers/kernel-worker.ts")];
  const targetArgs = cross ? [`--target=${cross.target}`, `--compile-executable-path=${cross.runtime}`] : [];
  await $`bun build --compile --minify-syntax --sourcemap=none ${targetArgs} ${entries} --outfile ${outfile}`.quiet();
}

if (import.meta.main) {
  await buildWasm();
  await compileExecutable(path.join(root, "dist/backpak"));
  console.log("built dist/backpak");
}
