/** Guessing what a mistyped name meant: edit distance with swaps, prefixes, and no guess when nothing is near. */
import { expect, test } from "bun:test";
import { editDistance, nearest } from "../../src/lib/nearest.ts";

const COMMANDS = ["init", "backup", "cat", "check", "copy", "diff", "dump", "forget", "ls", "prune", "restore", "snapshots", "usage"];

test("edit distance counts inserts, deletes, substitutions and swapped neighbours", () => {
  expect([editDistance("backup", "backup"), editDistance("bakup", "backup"), editDistance("bakcup", "backup"), editDistance("", "ls"), editDistance("cat", "dog")]).toEqual([0, 1, 1, 2, 3]);
});

test("the nearest command to a typo, a unique prefix, or none", () => {
  expect(nearest("bakup", COMMANDS)).toBe("backup");
  expect(nearest("restroe", COMMANDS)).toBe("restore");
  expect(nearest("snap", COMMANDS)).toBe("snapshots");
  expect(nearest("chek", COMMANDS)).toBe("check");
  expect(nearest("zzzzzzzz", COMMANDS)).toBeUndefined();
  expect(nearest("list", COMMANDS)).toBeUndefined();
});
