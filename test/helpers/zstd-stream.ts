/** zstd as backpak's streaming encoder writes it: one frame without a content size, with a flush in the middle. */
import zlib from "node:zlib";

export function streamedFrame(parts: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const z = zlib.createZstdCompress();
    const out: Buffer[] = [];
    z.on("data", (d: Buffer) => out.push(d));
    z.on("end", () => resolve(new Uint8Array(Buffer.concat(out))));
    const half = Math.ceil(parts.length / 2);
    for (const p of parts.slice(0, half)) z.write(p);
    z.flush(() => {
      for (const p of parts.slice(half)) z.write(p);
      z.end();
    });
  });
}
