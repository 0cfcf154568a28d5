/** Tree decoding refuses names that aren't one path component, and repeated names: restore must never leave its destination. */
import { expect, test } from "bun:test";
import { CborWriter } from "../../src/format/cbor.ts";
import { decodeTree, encodeTree, type Node } from "../../src/format/tree.ts";

const link: Node = { contents: { kind: "symlink", target: "x" }, metadata: { type: "posix", mode: 0o120777, uid: 0, gid: 0, atime: 0n, mtime: 0n } };

/** A tree's CBOR with the given names, in the given order (repeats allowed), each a copy of `link`. */
function treeWithNames(names: string[]): Uint8Array {
  const entry = encodeTree(new Map([["n", link]])).subarray(3); // the node after the map header and the 1-byte name "n"
  const w = new CborWriter();
  w.map(names.length);
  const parts = [w.finish()];
  for (const n of names) {
    const k = new CborWriter();
    k.text(n);
    parts.push(k.finish(), entry);
  }
  return Buffer.concat(parts);
}

test("the helper builds what encodeTree does", () => {
  expect(Buffer.from(treeWithNames(["a", "b"]))).toEqual(Buffer.from(encodeTree(new Map([["a", link], ["b", link]]))));
  expect(decodeTree(treeWithNames(["a", "b"]), "tree t").size).toBe(2);
});

test.each(["..", ".", "", "../escaped", "a/b", "/abs", "nul\0byte"])("a tree with an entry named %j is refused, naming the tree", (name) => {
  expect(() => decodeTree(treeWithNames(["ok", name]), "tree t")).toThrow(/^CBOR decoding of tree t failed at byte \d+: entry .* isn't a file name \(one path component\)$/);
});

test("a tree naming the same entry twice is refused", () => {
  expect(() => decodeTree(treeWithNames(["a", "a"]), "tree t")).toThrow("entry \"a\" appears twice");
});

test("odd but valid names decode", () => {
  for (const name of ["...", ".hidden", "a\\b", "sp ace", "ünï"]) expect([...decodeTree(treeWithNames([name]), "tree t").keys()]).toEqual([name]);
});
