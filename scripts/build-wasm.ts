/** Compiles every hand-written kernel wasm/<name>.wat into build/<name>.wasm with wabt (npm only, no system tools). */
import fs from "node:fs";
import path from "node:path";
import initWabt from "wabt";

const root = path.resolve(import.meta.dir, "..");

/** Builds build/<name>.wasm from each wasm/<name>.wat; throws on the first invalid module. */
export async function buildWasm(): Promise<void> {
  const wabt = await initWabt();
  const srcDir = path.join(root, "wasm");
  const outDir = path.join(root, "build");
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of fs.readdirSync(srcDir).filter((f) => f.endsWith(".wat")).sort()) {
    const module = wabt.parseWat(file, fs.readFileSync(path.join(srcDir, file), "utf8"));
    try {
      module.resolveNames();
      module.validate();
      const { buffer } = module.toBinary({});
      fs.writeFileSync(path.join(outDir, file.replace(/\.wat$/, ".wasm")), buffer);
    } finally {
      module.destroy();
    }
  }
}

if (import.meta.main) await buildWasm();
