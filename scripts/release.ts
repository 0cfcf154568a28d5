/**
 * `npm run release [-- --out DIR]`: builds the release executables backpak-linux-x64 and
 * backpak-linux-arm64 (in dist/ unless --out), each with a `sha256sum -c` file beside it, and says
 * which glibc each needs. Bun's musl builds are not made: they need a musl libstdc++ Debian lacks,
 * so they can't be tested here.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { moveFile, randomTag, writeFileAtomic } from "../src/lib/fsutil.ts";
import { buildWasm } from "./build-wasm.ts";
import { compileExecutable } from "./build.ts";
import { bunRuntime } from "./release/bun-runtime.ts";
import { glibcNeeded } from "./release/glibc-needed.ts";

const root = path.resolve(import.meta.dir, "..");

/** Each release: its file name, Bun's --target, and the npm package holding that platform's Bun runtime. */
const RELEASES = [
  { name: "backpak-linux-x64", target: "bun-linux-x64", runtime: "@oven/bun-linux-x64" },
  { name: "backpak-linux-arm64", target: "bun-linux-arm64", runtime: "@oven/bun-linux-aarch64" },
] as const;

/** The Bun version package.json pins, which must be the one running this script (its bundler makes the executables). */
function pinnedBun(): string {
  const version: string = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).dependencies.bun;
  if (version !== Bun.version) {
    throw new Error(`package.json pins bun ${version} but this is bun ${Bun.version}: run \`npm install\`, then \`npm run release\``);
  }
  return version;
}

/** The SHA-256 of a file, in hex. */
async function sha256(file: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of fs.createReadStream(file)) hasher.update(chunk as Buffer);
  return hasher.digest("hex");
}

const { values } = parseArgs({ options: { out: { type: "string", default: path.join(root, "dist") } } });
const out = path.resolve(values.out!);
fs.mkdirSync(out, { recursive: true });
const version = pinnedBun();
await buildWasm();
for (const release of RELEASES) {
  const runtime = await bunRuntime(release.runtime, version);
  const file = path.join(out, release.name);
  const part = `${file}.${randomTag()}.part`;
  try {
    await compileExecutable(part, { target: release.target, runtime });
    moveFile(part, file);
  } finally {
    fs.rmSync(part, { force: true });
  }
  writeFileAtomic(`${file}.sha256`, `${await sha256(file)}  ${release.name}\n`, 0o644);
  console.log(`built ${file} (and ${release.name}.sha256): needs glibc ${glibcNeeded(file) ?? "(any)"} or newer`);
}
