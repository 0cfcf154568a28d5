/** The master index's packs as a read-only map from pack ID to manifest, each manifest made from the blob table when asked for. */
import type { PackId } from "../format/id.ts";
import type { Manifest } from "../format/manifest.ts";
import type { BlobTable } from "./blob-table.ts";

export class PackManifests implements ReadonlyMap<PackId, Manifest> {
  constructor(readonly table: BlobTable) {}

  get size(): number {
    return this.table.packCount;
  }

  has(id: PackId): boolean {
    return this.table.findPack(id) >= 0;
  }

  get(id: PackId): Manifest | undefined {
    const p = this.table.findPack(id);
    return p < 0 ? undefined : this.table.manifest(p);
  }

  *keys(): MapIterator<PackId> {
    for (let p = 0; p < this.table.packCount; p++) yield this.table.packId(p);
  }

  *values(): MapIterator<Manifest> {
    for (let p = 0; p < this.table.packCount; p++) yield this.table.manifest(p);
  }

  *entries(): MapIterator<[PackId, Manifest]> {
    for (let p = 0; p < this.table.packCount; p++) yield [this.table.packId(p), this.table.manifest(p)];
  }

  [Symbol.iterator](): MapIterator<[PackId, Manifest]> {
    return this.entries();
  }

  forEach(each: (manifest: Manifest, id: PackId, map: ReadonlyMap<PackId, Manifest>) => void): void {
    for (const [id, m] of this.entries()) each(m, id, this);
  }
}
