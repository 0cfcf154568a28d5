/** Builds everything from source: the WASM kernels (build/*.wasm), then the single executable dist/backpak. */
import { $ } from "bun";
import path from "node:path";
import { buildWasm } from "./build-wasm.ts";

const root = path.resolve(import.meta.dir, "..");

await buildWasm();
await $`bun build --compile --minify-syntax --sourcemap=none ${path.join(root, "src/cli/main.ts")} --outfile ${path.join(root, "dist/backpak")}`.quiet();
console.log("built dist/backpak");
