/** The WebAssembly gear scanner: build/fastcdc.wasm (from wasm/fastcdc.wat) compiled once per process, one instance per chunker. */
import fs from "node:fs";
import wasmFile from "../../../build/fastcdc.wasm" with { type: "file" };
import type { GearScanner } from "./chunker.ts";
import type { CdcTables } from "./params.ts";

/** The kernel's ABI (see wasm/fastcdc.wat). */
interface FastcdcExports {
  memory: WebAssembly.Memory;
  /** Address of the byte buffer; the gear tables sit below it. */
  buffer: WebAssembly.Global;
  /** The running hash (i64: read as a signed bigint). */
  hash: WebAssembly.Global;
  set_masks(maskS: bigint, maskL: bigint): void;
  scan(pos: number, center: number, end: number): number;
}

const GEAR_ADDRESS = 0;
const GEAR_LS_ADDRESS = 2048;
const PAGE = 65536;

let compiled: WebAssembly.Module | undefined;

/** The compiled kernel, built on first use and shared by every instance. */
function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(fs.readFileSync(wasmFile));
  return compiled;
}

/** A WASM scanner whose buffer of `capacity` bytes lives in its own linear memory, so scans run in place. */
export function createWasmScanner(tables: CdcTables, capacity: number): GearScanner {
  const exports = new WebAssembly.Instance(kernelModule(), {}).exports as unknown as FastcdcExports;
  const base = Number(exports.buffer.value);
  const memory = exports.memory;
  memory.grow(Math.ceil((base + capacity) / PAGE) - memory.buffer.byteLength / PAGE);
  new BigUint64Array(memory.buffer, GEAR_ADDRESS, 256).set(tables.gear);
  new BigUint64Array(memory.buffer, GEAR_LS_ADDRESS, 256).set(tables.gearLs);
  exports.set_masks(tables.maskS, tables.maskL);
  const hashGlobal = exports.hash;
  const scan = exports.scan;
  return {
    buffer: new Uint8Array(memory.buffer, base, capacity),
    scan(pos, center, end) {
      const cut = scan(base + pos, base + center, base + end);
      return cut < 0 ? -1 : cut - base;
    },
    hash: () => BigInt.asUintN(64, BigInt(hashGlobal.value)),
    reset() {
      hashGlobal.value = 0n;
    },
  };
}
