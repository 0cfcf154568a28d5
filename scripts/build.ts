/** Builds everything from source: the WASM kernels (build/*.wasm), then the single executable dist/backpak with its worker embedded. */
import { $ } from "bun";
import path from "node:path";
import { buildWasm } from "./build-wasm.ts";

const root = path.resolve(import.meta.dir, "..");

await buildWasm();
// Worker entry points must be named here so the executable embeds them.
const entries = [path.join(root, "src/cli/main.ts"), path.join(root, "src/workers/kernel-worker.ts")];
await $`bun build --compile --minify-syntax --sourcemap=none ${entries} --outfile ${path.join(root, "dist/backpak")}`.quiet();
console.log("built dist/backpak");
