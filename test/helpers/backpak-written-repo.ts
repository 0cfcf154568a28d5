/** Writes a repository as backpak 0.3.0 lays one out: each pack's blobs in one streamed zstd frame without a content size, a version-1 snapshot beside a version-2 one. */
import type { BlobId, PackId } from "../../src/format/id.ts";
import type { Manifest } from "../../src/format/manifest.ts";
import type { Snapshot } from "../../src/format/snapshot.ts";
import { encodeTree, type Node, type Tree } from "../../src/format/tree.ts";
import { chunkLengths } from "../../src/kernels/fastcdc/index.ts";
import { hashId } from "../../src/kernels/sha224.ts";
import { craftRepo, writeIndex, writePack, writeSnapshot } from "./craft-repo.ts";
import { randomBytes } from "./random.ts";

/** The snapshots' time (the second is a minute later), and every restored file's mtime. */
export const BACKPAK_REPO_TIME = 1_700_000_000_123_456_789n;
const T = BACKPAK_REPO_TIME;
const meta = (mode: number, size?: number) => ({ type: "posix" as const, mode, ...(size === undefined ? {} : { size }), uid: 0, gid: 0, atime: T, mtime: T });

export interface BackpakRepo {
  /** data/big.bin, in several chunks. */
  readonly big: Uint8Array;
  /** data/a.txt and data/sub/c.txt. */
  readonly small: Uint8Array;
  readonly chunkPack: { id: PackId; manifest: Manifest };
  readonly treePack: { id: PackId; manifest: Manifest };
}

/**
 * Snapshots of `/backed/up/data`: a.txt, big.bin, an empty file, a symlink `link -> a.txt` and
 * sub/c.txt; every chunk in one pack, every tree in another, one index.
 */
export async function writeBackpakRepo(repo: string): Promise<BackpakRepo> {
  craftRepo(repo);
  const big = randomBytes(5, 3 * 1024 * 1024 + 17);
  const small = new TextEncoder().encode("small file\n");
  let off = 0;
  const bigChunks = chunkLengths("js", big).map((n) => big.subarray(off, (off += n)));
  const ids = (bs: Uint8Array[]): BlobId[] => bs.map((b) => hashId<"blob">(b));
  const file = (chunks: Uint8Array[], size: number): Node => ({ contents: { kind: "file", chunks: ids(chunks) }, metadata: meta(0o100644, size) });
  const sub: Tree = new Map([["c.txt", file([small], small.length)]]);
  const subBytes = encodeTree(sub);
  const data: Tree = new Map<string, Node>([
    ["a.txt", file([small], small.length)],
    ["big.bin", file(bigChunks, big.length)],
    ["empty", file([], 0)],
    ["link", { contents: { kind: "symlink", target: "a.txt" }, metadata: meta(0o120777) }],
    ["sub", { contents: { kind: "dir", tree: hashId<"blob">(subBytes) }, metadata: meta(0o40755) }],
  ]);
  const dataBytes = encodeTree(data);
  const top: Tree = new Map([["data", { contents: { kind: "dir", tree: hashId<"blob">(dataBytes) }, metadata: meta(0o40755) }]]);
  const topBytes = encodeTree(top);

  const chunkPack = await writePack(repo, [small, ...bigChunks], "chunk");
  const treePack = await writePack(repo, [subBytes, dataBytes, topBytes], "tree");
  writeIndex(repo, [chunkPack, treePack]);
  const snap = (time: bigint): Snapshot => ({ time, tz: "UTC", author: "backpak", tags: ["old"], paths: ["/backed/up/data"], tree: hashId<"blob">(topBytes) });
  writeSnapshot(repo, snap(T), "1");
  writeSnapshot(repo, snap(T + 60_000_000_000n), "2");
  return { big, small, chunkPack, treePack };
}
