/** Checks the FastCDC tables generated at load (gear from MD5, gear << 1, masks, seeds) against the crate's, from fastcdc-v2020.json. */
import { expect, test } from "bun:test";
import { BACKPAK_CDC } from "../../src/kernels/fastcdc/index.ts";
import { cdcTables, GEAR, GEAR_LS, MASKS } from "../../src/kernels/fastcdc/params.ts";
import { readVector } from "../vectors.ts";

interface Tables { gear: string[]; gear_ls: string[]; masks: string[] }
const crate = (): Tables => JSON.parse(new TextDecoder().decode(readVector("fastcdc-v2020.json"))) as Tables;

test("GEAR and GEAR_LS equal the crate's tables", () => {
  const json = crate();
  expect(json.gear.length).toBe(256);
  expect([...GEAR]).toEqual(json.gear.map((h) => BigInt(h)));
  expect([...GEAR_LS]).toEqual(json.gear_ls.map((h) => BigInt(h)));
  expect(GEAR[0]).toBe(0x3b5d3c7d207e37dcn);
  expect(GEAR[1]).toBe(0x784d68ba91123086n);
});

test("MASKS equal the crate's", () => {
  expect([...MASKS]).toEqual(crate().masks.map((h) => BigInt(h)));
});

test("backpak's parameters select MASKS[21] and MASKS[19]", () => {
  const t = cdcTables(BACKPAK_CDC);
  expect(t.maskS).toBe(0x0000d91767537000n);
  expect(t.maskL).toBe(0x0000d91707537000n);
  expect([...t.gear]).toEqual([...GEAR]);
  expect([...t.gearLs]).toEqual([...GEAR_LS]);
});

test("a seed is XORed into gear and, shifted left once, into gear_ls", () => {
  const seed = 0x8000_0000_0000_029an;
  const t = cdcTables({ ...BACKPAK_CDC, seed, normalization: 3 });
  expect([...t.gear]).toEqual([...GEAR].map((g) => g ^ seed));
  expect([...t.gearLs]).toEqual([...GEAR_LS].map((g) => g ^ 0x534n));
  expect([t.maskS, t.maskL]).toEqual([0x0000d93777537000n, 0x0000d90703537000n]); // MASKS[23], MASKS[17]
});

test("parameters the crate rejects throw RangeError", () => {
  for (const bad of [{ min: 63 }, { avg: 255 }, { max: 16_777_217 }, { normalization: 4 }, { avg: 4_194_304, max: 1_048_576 }, { min: 1_048_576, max: 1024, avg: 256 }, { seed: -1n }, { seed: 1n << 64n }]) {
    expect(() => cdcTables({ ...BACKPAK_CDC, ...bad })).toThrow(RangeError);
  }
});
