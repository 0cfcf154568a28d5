/**
 * A small, fixed-seed run of the decoder fuzzer (scripts/fuzz-decoders.ts runs the large one):
 * mutated CBOR, tree, snapshot, index and pack bytes give only typed errors, and memory stays
 * bounded. The judge itself reports any other error, so the run can fail.
 */
import { expect, test } from "bun:test";
import { judge, runKind } from "../../scripts/fuzz/campaign.ts";
import { KINDS } from "../../scripts/fuzz/targets.ts";
import { BackpakError } from "../../src/lib/errors.ts";

const bytes = new Uint8Array([0x9b, 0xff]);

test("the judge accepts typed errors and reports anything else", () => {
  expect(judge({ bytes, decode: () => {} })).toBeUndefined();
  const typed = (): never => {
    throw new BackpakError("corrupt", "bad");
  };
  const untyped = (): never => {
    throw new RangeError("Invalid array length");
  };
  expect(judge({ bytes, decode: typed })).toBeUndefined();
  expect(judge({ bytes, decode: untyped })).toStartWith("RangeError: Invalid array length (input 9bff, 2 bytes)");
});

for (const kind of KINDS) {
  test(`2,000 mutated ${kind} inputs give only typed errors`, () => {
    const r = runKind(kind, { seed: 20261207, from: 0, count: 2000, budgetMs: Infinity, rssBoundBytes: 256 * 2 ** 20 });
    expect(r.tried).toBe(2000);
    expect(r.failures).toEqual([]);
    expect(r.memory).toEqual([]);
  });
}
