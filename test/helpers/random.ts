/** Seeded pseudo-random numbers and bytes for deterministic tests (mulberry32; never Math.random). */

/** A generator of uint32s that depends on `seed` alone. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `length` incompressible bytes that depend on `seed` alone. */
export function randomBytes(seed: number, length: number): Uint8Array {
  const next = prng(seed);
  const words = new Uint32Array(Math.ceil(length / 4));
  for (let i = 0; i < words.length; i++) words[i] = next();
  return new Uint8Array(words.buffer, 0, length);
}
