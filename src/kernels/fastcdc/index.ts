/** FastCDC v2020 content-defined chunking, byte-compatible with the fastcdc crate 4.0.1 backpak uses: a WASM kernel and its plain-JS reference. */
import { bufferCapacity, StreamChunker } from "./chunker.ts";
import { createJsScanner } from "./js-kernel.ts";
import { BACKPAK_CDC, cdcTables, type CdcParams } from "./params.ts";
import { createWasmScanner } from "./wasm-kernel.ts";

export type { CdcParams } from "./params.ts";
export { BACKPAK_CDC } from "./params.ts";

export type CdcKernelKind = "wasm" | "js";

/** A cut: the length of a finished chunk and the 64-bit gear hash at the cut (as the crate returns it). */
export interface Cut {
  length: number;
  hash: bigint;
}

/** Receives each finished chunk's bytes, as a view that is valid only during the call. */
export type ChunkSink = (chunk: Uint8Array) => void;

/** Finds content-defined cut points in a stream. Not thread-safe; one per stream at a time. */
export interface Chunker {
  readonly kind: CdcKernelKind;
  /** Feeds the next bytes of the stream; returns the chunks they complete, in order. The caller keeps its own bytes; the chunker copies what it needs. */
  push(data: Uint8Array, sink?: ChunkSink): Cut[];
  /** Ends the stream: returns the remaining chunks (none for an empty stream) and resets for a new stream. */
  finish(sink?: ChunkSink): Cut[];
}

/** A chunker on the given kernel; throws RangeError for parameters the crate rejects. It holds a buffer of 2 x max bytes (16 MiB for backpak): reuse it across streams, finish() resets it. */
export function createChunker(kind: CdcKernelKind, params: CdcParams = BACKPAK_CDC): Chunker {
  const tables = cdcTables(params);
  const capacity = bufferCapacity(params);
  const scanner = kind === "wasm" ? createWasmScanner(tables, capacity) : createJsScanner(tables, capacity);
  return new StreamChunker(kind, scanner, params);
}

/** Chunk lengths of a whole buffer (convenience for tests and small files). */
export function chunkLengths(kind: CdcKernelKind, data: Uint8Array, params: CdcParams = BACKPAK_CDC): number[] {
  const chunker = createChunker(kind, params);
  return [...chunker.push(data), ...chunker.finish()].map((cut) => cut.length);
}
