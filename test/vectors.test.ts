/** The golden vectors are the files their projects published, byte for byte: SHA256SUMS pins each one. */
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { readVector, VECTORS } from "./vectors";

const sums = fs
  .readFileSync(path.join(VECTORS, "SHA256SUMS"), "utf8")
  .trim()
  .split("\n")
  .map((line) => line.split(/\s+/) as [string, string]);

test("SHA256SUMS lists every vector file", () => {
  const listed = sums.map(([, name]) => name).sort();
  const present = ["backpak", "."]
    .flatMap((dir) => fs.readdirSync(path.join(VECTORS, dir), { withFileTypes: true }).map((e) => ({ dir, e })))
    .filter(({ e }) => e.isFile() && !["README.md", "SHA256SUMS"].includes(e.name))
    .map(({ dir, e }) => (dir === "." ? e.name : `${dir}/${e.name}`))
    .sort();
  expect(listed).toEqual(present);
});

test.each(sums)("vector %s is unchanged", (digest, name) => {
  expect(new Bun.CryptoHasher("sha256").update(readVector(name)).digest("hex")).toBe(digest);
});
