/** Reads whole packs from the backend and returns their verified blobs. */
import type { Backend } from "../backend/index.ts";
import type { PackId } from "../format/id.ts";
import { context } from "../lib/errors.ts";
import { packKey } from "./keys.ts";
import { readPackLayout, unpackBlobs, type PackBlob } from "./pack-file.ts";

/** Reads pack `id` and decodes every blob in it, each checked against its ID. */
export async function readPackBlobs(backend: Backend, id: PackId): Promise<PackBlob[]> {
  const file = await backend.read(packKey(id));
  try {
    const layout = readPackLayout(file, id);
    return unpackBlobs(file, id, layout.manifest, layout);
  } catch (err) {
    throw context("corrupt", `Couldn't read pack ${id}`, err, "run `backpak check --read-packs` to see which objects are damaged");
  }
}
