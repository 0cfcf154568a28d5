/**
 * A kernel worker: takes job slots from its queue and runs them on the shared data buffer —
 * FastCDC cut points with the SHA-224 of each chunk (stage A; a large file's hashing can be jobs
 * of its own; a file that changed while it was read is flagged, not failed), zstd compression of batches of new blobs (stage B), and zstd decompression with
 * per-blob verification and writes (restore, check).
 */
import fs from "node:fs";
import path from "node:path";
import { createChunker, type Chunker } from "../kernels/fastcdc/index.ts";
import { zstdDecompress } from "../kernels/zstd.ts";
import { unchangedSince, type FileStamp } from "../fs/file-stamp.ts";
import { reach } from "../fs/long-path.ts";
import { statFd } from "../fs/metadata.ts";
import { writeIntoFile } from "../lib/fsutil.ts";
import { BlobItem, CompressItem, CutHashItem, FrameItem, H, HashItem, ItemFlag, JobType, MAX_CUTS, ScanItem, SlotQueue, Slots, Status } from "../pipeline/protocol.ts";
import { runReadHook, type ReadHook } from "../pipeline/read-hook.ts";
import type { WorkerInit } from "../pipeline/worker-init.ts";
import { scanPaths, type ScanRequest } from "./scan.ts";

declare const self: Worker;

const textDecoder = new TextDecoder();

let chunker: Chunker | undefined;
let scratch = new Uint8Array(1 << 20);

/** SHA-224 of `bytes` written straight into `out` (a slot's digest area): no buffer per chunk. */
function sha224Into(bytes: Uint8Array, out: Uint8Array): void {
  Bun.CryptoHasher.hash("sha224", bytes, out);
}

let readHook: ReadHook | undefined;

/** The file of the stream being read (its items all come to this worker, in order). */
interface Stream {
  readonly path: string;
  /** The file as scanned; after the last item the open file must still match it. */
  readonly stamp: FileStamp;
  fd: number;
  pos: number;
  blocks: number;
  /** It couldn't be opened or read in full, or it no longer matches its stamp. */
  changed: boolean;
}
let stream: Stream | undefined;
/** Non-blocking, so a file replaced by a FIFO can't hang the read (it has no effect on regular files). */
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;

/**
 * Reads an item's bytes into the ring: opens the file at its stream's first item, closes it after
 * the last. A file that can't be opened, ends early or fails a read is not an error: the rest of
 * the stream is zeros and the last item gets the Changed flag, as it does when the file's stamp
 * moved by the end of the read; the main thread then reads it again.
 */
function readItem(slots: Slots, slot: number, item: number, view: Uint8Array, flags: number): void {
  if (flags & ItemFlag.First) {
    const at = slots.item(slot, item, CutHashItem.pathAt);
    const len = slots.item(slot, item, CutHashItem.pathLength);
    const path = slots.path(slot, at, len);
    stream = { path, stamp: slots.stamp(slot, at + len), fd: -1, pos: 0, blocks: 0, changed: false };
    allocated += FILE_GARBAGE;
    try {
      stream.fd = fs.openSync(reach(path), OPEN_FLAGS);
    } catch {
      stream.changed = true;
    }
    runReadHook(readHook, path, 1, 0);
  }
  const s = stream!;
  let got = 0;
  try {
    while (!s.changed && got < view.length) {
      const n = fs.readSync(s.fd, view, got, view.length - got, s.pos);
      if (n === 0) s.changed = true;
      got += n;
      s.pos += n;
    }
  } catch {
    s.changed = true;
  }
  view.fill(0, got);
  runReadHook(readHook, s.path, 1, ++s.blocks);
  if (!(flags & ItemFlag.Last)) return;
  stream = undefined;
  if (s.fd >= 0) {
    try {
      if (!s.changed) s.changed = !unchangedSince(s.stamp, statFd(s.fd, s.path));
    } catch {
      s.changed = true;
    } finally {
      fs.closeSync(s.fd);
    }
  }
  if (s.changed) slots.flagItem(slot, item, ItemFlag.Changed);
}

/** Stage A: read each item, cut its stream into chunks and hash them (unless cut only); cuts are reported where they end. */
function cutHash(slots: Slots, slot: number, data: Uint8Array): void {
  let cuts = 0;
  const items = slots.get(slot, H.Items);
  let item = 0;
  let hashing = true;
  const sink = (bytes: Uint8Array): void => {
    if (cuts >= MAX_CUTS) throw new Error(`more than ${MAX_CUTS} chunks in one job`);
    if (hashing) sha224Into(bytes, slots.digest(slot, cuts));
    slots.setCut(slot, cuts++, bytes.length, item);
  };
  for (; item < items; item++) {
    const off = slots.item(slot, item, CutHashItem.offset);
    const len = slots.item(slot, item, CutHashItem.length);
    const flags = slots.item(slot, item, CutHashItem.flags);
    const view = data.subarray(off, off + len);
    hashing = (flags & ItemFlag.CutOnly) === 0;
    slots.set(slot, H.FailedItem, item);
    readItem(slots, slot, item, view, flags);
    if (flags & ItemFlag.Whole) {
      if (len > 0) sink(view);
      continue;
    }
    chunker ??= createChunker("wasm");
    chunker.push(view, sink);
    if (flags & ItemFlag.Last) chunker.finish(sink);
  }
  slots.set(slot, H.Cuts, cuts);
}

/** SHA-224 of chunks cut elsewhere: each chunk's pieces in order, its digest at the index its last piece names. */
function hash(slots: Slots, slot: number, data: Uint8Array): void {
  const items = slots.get(slot, H.Items);
  let hasher: Bun.CryptoHasher | undefined;
  for (let i = 0; i < items; i++) {
    const off = slots.item(slot, i, HashItem.offset);
    const piece = data.subarray(off, off + slots.item(slot, i, HashItem.length));
    const out = slots.digest(slot, slots.item(slot, i, HashItem.digest));
    const last = slots.item(slot, i, HashItem.last) === 1;
    if (last && !hasher) {
      sha224Into(piece, out);
      continue;
    }
    hasher ??= new Bun.CryptoHasher("sha224");
    hasher.update(piece);
    if (last) {
      out.set(hasher.digest());
      hasher = undefined;
    }
  }
}

/** Gathers the item ranges into one contiguous view (copying only when there are several). */
function gather(slots: Slots, slot: number, data: Uint8Array): Uint8Array {
  const items = slots.get(slot, H.Items);
  if (items === 1) {
    const off = slots.item(slot, 0, CompressItem.offset);
    return data.subarray(off, off + slots.item(slot, 0, CompressItem.length));
  }
  let total = 0;
  for (let i = 0; i < items; i++) total += slots.item(slot, i, CompressItem.length);
  if (scratch.length < total) scratch = new Uint8Array(Math.max(total, scratch.length * 2));
  let at = 0;
  for (let i = 0; i < items; i++) {
    const off = slots.item(slot, i, CompressItem.offset);
    const len = slots.item(slot, i, CompressItem.length);
    scratch.set(data.subarray(off, off + len), at);
    at += len;
  }
  return scratch.subarray(0, total);
}

/** Stage B: compress the items, as one zstd frame, into the output range the job names. */
function compress(slots: Slots, slot: number, data: Uint8Array): void {
  const input = gather(slots, slot, data);
  const z = Bun.zstdCompressSync(input, { level: slots.get(slot, H.Level) });
  // Only zstd's output is fresh: the input is a view of the ring, or the reused scratch buffer.
  allocated += z.length;
  if (z.length > slots.get(slot, H.OutCapacity)) throw new Error(`compressed frame of ${z.length} bytes overflows its ${slots.get(slot, H.OutCapacity)}-byte output`);
  data.set(z, slots.get(slot, H.OutOffset));
  slots.set(slot, H.OutLength, z.length);
}

const digest = new Uint8Array(28);

/**
 * Item 0 is a zstd frame (FrameItem); items 1.. are blobs in it (BlobItem) whose digests are in
 * the digest area from index 0. Each blob is verified, then written at its offset in its file
 * (none for a path length of 0), so every worker writes files at once.
 */
function decompress(slots: Slots, slot: number, data: Uint8Array): void {
  const off = slots.item(slot, 0, FrameItem.offset);
  const raw = zstdDecompress(data.subarray(off, off + slots.item(slot, 0, FrameItem.length)), "the frame", { exactly: slots.item(slot, 0, FrameItem.rawSize) });
  allocated += raw.length;
  const items = slots.get(slot, H.Items);
  for (let i = 1; i < items; i++) {
    slots.set(slot, H.FailedItem, i);
    const bOff = slots.item(slot, i, BlobItem.offset);
    const bLen = slots.item(slot, i, BlobItem.length);
    if (bOff + bLen > raw.length) throw new Error("a blob runs past the end of its frame");
    const blob = raw.subarray(bOff, bOff + bLen);
    sha224Into(blob, digest);
    const want = slots.digest(slot, i - 1);
    for (let k = 0; k < 28; k++) if (digest[k] !== want[k]) throw new Error("a blob doesn't match its ID");
    const pathLen = slots.item(slot, i, BlobItem.pathLength);
    if (pathLen > 0) {
      // A failure from here on is the destination's (a full disk, say), not the pack's.
      slots.set(slot, H.FailedWrite, 1);
      writeIntoFile(slots.path(slot, slots.item(slot, i, BlobItem.pathAt), pathLen), blob, slots.item(slot, i, BlobItem.fileOffset));
      slots.set(slot, H.FailedWrite, 0);
    }
  }
}

/**
 * zstd hands back a fresh buffer for every frame, and a worker blocked in Atomics.wait never idles
 * long enough for the collector to run on its own: collect after every GC_BYTES of them, so
 * garbage can't pile up (it would otherwise reach hundreds of MB on a large backup). Every 8 MiB
 * rather than 32 takes 90 MB off the peak RSS of restoring one 1.3 GB file (233 → 145 MB).
 * Compression counts only its output: counting its input too collected three times as often on
 * a first backup, 0.25 CPU-seconds of the Linux sources' 9.5, for garbage that wasn't there.
 */
const GC_BYTES = 8 << 20;
/**
 * What opening, reading and closing one file leaves behind (its path, stamp, stat and views), as
 * counted towards GC_BYTES: when every chunk is already stored nothing is compressed, and a backup
 * of 100k small files grew each worker's garbage until the process held 130 MB more at its end.
 */
const FILE_GARBAGE = 2 << 10;
let allocated = 0;
function collectGarbage(): void {
  if (allocated < GC_BYTES) return;
  allocated = 0;
  Bun.gc(true);
}

/**
 * The pre-flight scan: item 0 is the ring (ScanItem); the request is JSON at the start of the ring
 * (room for any number of paths and patterns), read before any record is written.
 */
function scan(slots: Slots, slot: number, data: Uint8Array): void {
  const base = slots.item(slot, 0, ScanItem.offset);
  const request = JSON.parse(textDecoder.decode(data.subarray(base, base + slots.item(slot, 0, ScanItem.requestLength)))) as ScanRequest;
  scanPaths(request, slots, slot, data, base, slots.item(slot, 0, ScanItem.size));
}

const KERNELS: Record<number, (slots: Slots, slot: number, data: Uint8Array) => void> = {
  [JobType.CutHash]: cutHash,
  [JobType.Compress]: compress,
  [JobType.Decompress]: decompress,
  [JobType.Scan]: scan,
  [JobType.Hash]: hash,
};

/** For the "hold" fault: waits (checking every 10 ms) until the test creates `release`, or removes its directory (a test that is gone). */
function holdUntil(release: string): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(release) && fs.existsSync(path.dirname(release))) Atomics.wait(nap, 0, 0, 10);
}

self.onmessage = (e: MessageEvent<WorkerInit>) => {
  const init = e.data;
  readHook = init.readHook;
  const slots = new Slots(init.slots, init.slotCount);
  const queue = new SlotQueue(init.queue, init.slotCount);
  const data = new Uint8Array(init.data);
  const progress = new Int32Array(init.progress);
  let faultCount = 0;
  for (;;) {
    const slot = queue.pop();
    const type = slots.get(slot, H.Type);
    if (type === JobType.Stop) break;
    const injected = init.fault?.job === type && ++faultCount === init.fault.after ? init.fault.mode : undefined;
    // Dies with the job unfinished: the main thread must notice the worker's error and not wait forever.
    if (injected === "die") throw new Error(`injected worker death in job type ${type}`);
    if (injected === "stall") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    if (injected === "hold") holdUntil(init.fault!.release!);
    let status: number = Status.Done;
    try {
      if (injected === "throw") throw new Error(`injected fault in job type ${type}`);
      const kernel = KERNELS[type];
      if (!kernel) throw new Error(`unknown job type ${type}`);
      kernel(slots, slot, data);
    } catch (err) {
      slots.setError(slot, err instanceof Error ? err.message : String(err));
      status = Status.Failed;
    }
    Atomics.store(slots.i32, slots.at(slot, H.Status), status);
    Atomics.notify(slots.i32, slots.at(slot, H.Status));
    Atomics.add(progress, 0, 1);
    Atomics.notify(progress, 0);
    collectGarbage();
  }
};
