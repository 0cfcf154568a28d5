/**
 * Sizes and starts the worker pipelines of operations: one kernel worker per core
 * ($BACKPAK_WORKERS overrides), an input ring of $BACKPAK_RING_MIB MiB for file data (16 by
 * default) or pack data (32 by default), and for backup room for compressed frames.
 */
import { PACK_ZSTD_LEVEL } from "../kernels/zstd.ts";
import { ChunkPipeline } from "./chunk-pipeline.ts";
import type { Frame } from "./frame-stage.ts";
import { faultPlanFromEnv } from "./fault.ts";
import { WorkerPool, defaultWorkerCount } from "./pool.ts";
import { readHookFromEnv } from "./read-hook.ts";

const MiB = 1 << 20;
/** New chunks are compressed in frames of about this many bytes. */
export const FRAME_BYTES = 4 * MiB;
const OUTPUT_BYTES = 17 * MiB;

/**
 * Backup's input ring by default: 16 MiB reads files as fast as 32 did (a 442 MB file, and 200k
 * small files, in the same time) and touches 16 MiB less memory.
 */
const BACKUP_RING_MIB = 16;
const BLOB_RING_MIB = 32;

function inputRingBytes(defaultMiB: number): number {
  const env = Number(process.env.BACKPAK_RING_MIB);
  return (Number.isInteger(env) && env >= 16 ? env : defaultMiB) * MiB;
}

function newPool(dataBytes: number): WorkerPool {
  const fault = faultPlanFromEnv();
  const readHook = readHookFromEnv();
  return new WorkerPool({ workers: defaultWorkerCount(), dataBytes, ...(fault ? { fault } : {}), ...(readHook ? { readHook } : {}) });
}

/** A pool for backing up: its data buffer holds the input ring (first `inputBytes`) and the output ring. */
export function startBackupPool(): { pool: WorkerPool; inputBytes: number } {
  const inputBytes = inputRingBytes(BACKUP_RING_MIB);
  return { pool: newPool(inputBytes + OUTPUT_BYTES), inputBytes };
}

/** The backup pipeline on such a pool: stage A and stage B over its rings. */
export function chunkPipeline(pool: WorkerPool, inputBytes: number, onFrame: (frame: Frame) => Promise<void>): ChunkPipeline {
  return new ChunkPipeline(pool, { inputBytes, outputBytes: OUTPUT_BYTES, level: PACK_ZSTD_LEVEL, frameBytes: FRAME_BYTES, onFrame });
}

/** Both at once (comparing with the filesystem, where nothing is packed). */
export function startPipeline(onFrame: (frame: Frame) => Promise<void>): { pool: WorkerPool; pipeline: ChunkPipeline } {
  const { pool, inputBytes } = startBackupPool();
  return { pool, pipeline: chunkPipeline(pool, inputBytes, onFrame) };
}

/** A worker pool for reading packs (restore, check), with its input ring. */
export function startBlobPool(): { pool: WorkerPool; ringBytes: number } {
  const ringBytes = inputRingBytes(BLOB_RING_MIB);
  return { pool: newPool(ringBytes), ringBytes };
}
