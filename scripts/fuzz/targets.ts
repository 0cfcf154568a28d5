/**
 * The decoders under fuzzing, one per object kind, each fed a seeded mutant of a valid object.
 * Containers are mutated both as they lie on disk (magic, zstd frames, lengths) and inside, with
 * their CBOR mutated and wrapped again, so the CBOR decoders are reached past the compression and
 * past pack-ID checks.
 */
import { CborCursor } from "../../src/format/cbor-cursor.ts";
import type { PackId } from "../../src/format/id.ts";
import { decodeSnapshotBody, splitSnapshotFile } from "../../src/format/snapshot.ts";
import { decodeTree } from "../../src/format/tree.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { parseIndexFile } from "../../src/repo/index-file.ts";
import { readPackLayout, unpackBlobs } from "../../src/repo/pack-file.ts";
import { indexCbor, indexFile, manifestCbor, packFile, packId, snapshotFiles, treeCbor } from "./corpus.ts";
import { prng } from "../../test/helpers/random.ts";
import { mutate } from "./mutate.ts";

export const KINDS = ["cbor", "tree", "snapshot", "index", "pack"] as const;
export type Kind = (typeof KINDS)[number];

/** One input: its bytes (for reports) and the decoding of them. */
export interface FuzzInput {
  readonly bytes: Uint8Array;
  readonly decode: () => void;
}

const packWhole = packFile(manifestCbor);
const indexWhole = indexFile(indexCbor);

function decodePack(file: Uint8Array, id: PackId): void {
  unpackBlobs(file, id, readPackLayout(file, id).manifest);
}

/** The mutant of `kind` that `seed` makes, ready to decode. */
export function fuzzInput(kind: Kind, seed: number): FuzzInput {
  const r = prng(seed ^ 0x9e3779b9);
  const inside = (r() & 1) === 1;
  switch (kind) {
    case "cbor": {
      const docs = [treeCbor, manifestCbor, indexCbor];
      const bytes = mutate(docs[r() % docs.length]!, seed);
      return {
        bytes,
        decode: () => {
          const c = new CborCursor(bytes, "fuzzed CBOR");
          while (!c.done) c.skip();
        },
      };
    }
    case "tree": {
      const bytes = mutate(treeCbor, seed);
      return { bytes, decode: () => decodeTree(bytes, "tree fuzzed") };
    }
    case "snapshot": {
      const bytes = mutate(snapshotFiles[r() & 1]!, seed);
      return {
        bytes,
        decode: () => {
          const { version, body } = splitSnapshotFile(bytes, "snapshot fuzzed");
          decodeSnapshotBody(body, version, "snapshot fuzzed");
        },
      };
    }
    case "index": {
      const bytes = inside ? indexFile(mutate(indexCbor, seed)) : mutate(indexWhole, seed);
      return { bytes, decode: () => parseIndexFile(bytes, "index fuzzed") };
    }
    case "pack": {
      if (!inside) {
        const bytes = mutate(packWhole, seed);
        return { bytes, decode: () => decodePack(bytes, packId) };
      }
      const cbor = mutate(manifestCbor, seed);
      const bytes = packFile(cbor);
      return { bytes, decode: () => decodePack(bytes, hashId<"pack">(cbor)) };
    }
  }
}
