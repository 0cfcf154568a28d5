/** The executable is self-contained: copied elsewhere, it runs from / with no Bun, Node or PATH at all. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BIN, cleanUpAfterThisFile, tempDir } from "./harness.ts";

cleanUpAfterThisFile();

test("a copy of dist/backpak backs up and restores with an empty environment", () => {
  const dir = tempDir("standalone");
  const exe = path.join(dir, "backpak");
  fs.copyFileSync(BIN, exe);
  fs.chmodSync(exe, 0o755);
  const data = path.join(dir, "data");
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, "note.txt"), "hello from nowhere\n");
  const run = (...args: string[]) => Bun.spawnSync({ cmd: [exe, "-C", dir, "--config", "", "-r", path.join(dir, "repo"), ...args], cwd: "/", env: {} });
  for (const args of [["init", "filesystem"], ["backup", data], ["restore", "-o", path.join(dir, "out"), "LAST"]]) {
    const r = run(...args);
    // stderr carries the INFO lines; nothing else (no warning, no error) may be there.
    const complaints = r.stderr.toString().split("\n").filter((l) => /warn|error|not found|denied/i.test(l));
    expect({ args, code: r.exitCode, complaints }).toEqual({ args, code: 0, complaints: [] });
  }
  expect(fs.readFileSync(path.join(dir, "out", "note.txt"), "utf8")).toBe("hello from nowhere\n");
});
