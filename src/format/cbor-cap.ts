/**
 * How large the CBOR of an index or a pack manifest may decompress to, from its compressed size.
 * Every entry of either holds a 28-byte SHA-224, which zstd can't shrink, so real ones compress
 * less than 3:1; anything expanding far past that is damaged or hostile (a zstd bomb), and is
 * refused before it takes more memory than this.
 */
export function cborCapFor(compressedBytes: number): number {
  return (1 << 20) + 64 * compressedBytes;
}
