/** `snapshots --file-sizes` lines: padded by graphemes, and a million of them made without overflowing the stack. */
import { expect, test } from "bun:test";
import { NewFiles } from "../../src/ops/new-files.ts";
import type { FileSize, ForestSizes } from "../../src/ops/sizes.ts";
import { fileSizeLines } from "../../src/ui/snapshot-report.ts";

function sizesOf(files: Map<string, FileSize>): ForestSizes {
  const newFiles = new NewFiles();
  for (const [path, size] of files) newFiles.add(path, size);
  return { treeBytes: 0, chunkBytes: 0, introduced: 0, reused: 0, newFiles, fileSize: () => undefined };
}

test("file lines are padded to the widest path in graphemes, most new data first", () => {
  const files = new Map<string, FileSize>([
    ["a.txt", { introduced: 10, reused: 0 }],
    ["é👍🏽.txt", { introduced: 2048, reused: 5 }],
  ]);
  expect([...fileSizeLines(sizesOf(files))]).toEqual([" é👍🏽.txt | 2 KB new, 5 B reused", " a.txt  | 10 B new, 0 B reused", ""]);
});

test("a million files that brought new data give a million lines", () => {
  const files = new Map<string, FileSize>();
  for (let i = 0; i < 1_000_000; i++) files.set(`d${i % 1000}/f${i}`, { introduced: 1 + (i % 7), reused: 0 });
  let n = 0;
  let last = "";
  for (const line of fileSizeLines(sizesOf(files))) {
    n++;
    if (line !== "") last = line;
  }
  expect(n).toBe(1_000_001);
  // The least new data comes last, the latest such file last of all (the sort is stable); none is wider than it.
  expect(last).toBe(" d999/f999999 | 1 B new, 0 B reused");
});
