/**
 * Whole-file transfers over SFTP, pipelined: a file moves in CHUNK-byte READ or WRITE requests with
 * up to DEPTH of them in flight, so a transfer costs bandwidth rather than round trips.
 */
import fs from "node:fs";
import type { SftpClient } from "./sftp-client.ts";

const CHUNK = 32 * 1024;
const DEPTH = 64;

/** Runs `job(0 … count-1)` with at most DEPTH running; the first failure stops new jobs and is thrown once all have settled. */
async function pipelined(count: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < count) {
      const i = next++;
      try {
        await job(i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DEPTH, count) }, lane));
  if (failure !== undefined) throw failure.err;
}

/** Writes the local file `localPath` to the new remote file `remotePath`, fsynced (where the server can) and closed. */
export async function uploadFile(client: SftpClient, localPath: string, remotePath: string): Promise<void> {
  const fd = fs.openSync(localPath, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const handle = await client.open(remotePath, "create");
    await client.closing(handle, async () => {
      await pipelined(Math.ceil(size / CHUNK), async (i) => {
        const chunk = new Uint8Array(Math.min(CHUNK, size - i * CHUNK));
        const n = fs.readSync(fd, chunk, 0, chunk.length, i * CHUNK);
        await client.write(handle, i * CHUNK, chunk.subarray(0, n));
      });
      await client.fsync(handle);
    });
  } finally {
    fs.closeSync(fd);
  }
}

/** Takes the pieces of a download, with their offsets, in any order. */
export type Sink = (data: Uint8Array, offset: number) => void;

/**
 * Reads the whole remote file `remotePath`: `start` learns its size and gives the sink for its
 * pieces; resolves with the length read (less than the size only if the file shrank meanwhile).
 */
export async function downloadFile(client: SftpClient, remotePath: string, start: (size: number) => Sink): Promise<number> {
  const handle = await client.open(remotePath, "read");
  return client.closing(handle, async () => {
    const size = (await client.fstat(handle)).size ?? 0;
    const sink = start(size);
    let end = size;
    await pipelined(Math.ceil(size / CHUNK), async (i) => {
      const stop = Math.min(size, (i + 1) * CHUNK);
      // A server may answer a read with less than asked: ask again for the rest.
      for (let at = i * CHUNK; at < stop; ) {
        const data = await client.read(handle, at, stop - at);
        if (data === undefined || data.length === 0) {
          end = Math.min(end, at); // the file is shorter than it was said to be
          return;
        }
        sink(data, at);
        at += data.length;
      }
    });
    return end;
  });
}
