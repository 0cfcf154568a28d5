/**
 * Cuts a stream of blocks into chunks as backup does (FastCDC on this thread), hashes them and
 * hands each to `store` as soon as its block is cut, so memory stays bounded by one block and the
 * chunks it holds: for rereads of changed files and for `backup --stdin`.
 */
import type { BlobId } from "../format/id.ts";
import { createChunker, type Chunker } from "../kernels/fastcdc/index.ts";
import { hashId } from "../kernels/sha224.ts";

/** Packs a chunk unless it is already stored or queued; true if it was new. */
export type ChunkStore = (id: BlobId, bytes: Uint8Array) => Promise<boolean>;

let chunker: Chunker | undefined;

/** Chunks every block of `blocks` in order (a block may be reused once the next is asked for); returns the chunk IDs and the bytes read. */
export async function chunkBlocks(blocks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, store: ChunkStore): Promise<{ chunks: BlobId[]; size: number }> {
  chunker ??= createChunker("wasm");
  const cut: Uint8Array[] = [];
  const take = (chunk: Uint8Array): void => void cut.push(chunk.slice());
  const chunks: BlobId[] = [];
  const flush = async (): Promise<void> => {
    for (const bytes of cut.splice(0)) {
      const id = hashId<"blob">(bytes);
      await store(id, bytes);
      chunks.push(id);
    }
  };
  let size = 0;
  try {
    for await (const block of blocks) {
      size += block.length;
      chunker.push(block, take);
      await flush();
    }
    chunker.finish(take);
  } catch (err) {
    chunker.finish(); // ready for the next stream
    throw err;
  }
  await flush();
  return { chunks, size };
}
