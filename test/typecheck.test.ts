/** The whole project type-checks under strict TypeScript (tsconfig.json). */
import { expect, test } from "bun:test";
import path from "node:path";

test("tsc --noEmit reports no errors", () => {
  const root = path.resolve(import.meta.dir, "..");
  const r = Bun.spawnSync([path.join(root, "node_modules/.bin/tsc"), "--noEmit", "-p", root], { cwd: root });
  const out = r.stdout.toString() + r.stderr.toString();
  expect(out).toBe("");
  expect(r.exitCode).toBe(0);
});
