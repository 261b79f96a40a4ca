// A seeded bijection of [0, n), computed and never stored: a balanced Feistel
// network over the smallest even-bit domain 2^(2h) >= n, with cycle-walking
// (re-apply until the value falls inside [0, n)). The domain is less than 4n,
// so a walk takes under 4 rounds on average. Same seed, same order.

const ROUNDS = 4;

/** 32-bit mixing (a murmur3-style finaliser) of a half-block with a round key. */
function mix(x: number, key: number): number {
  let h = Math.imul(x ^ key, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Four round keys from a seed string (FNV-1a, then mixed). */
function roundKeys(seed: string): number[] {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  return Array.from({ length: ROUNDS }, (_, r) => mix(h, 0x27d4eb2f * (r + 1)));
}

/** A permutation of [0, n) for n up to 2^52. */
export class Permutation {
  private readonly half: number;
  private readonly mask: number;
  private readonly scale: number;
  private readonly keys: number[];

  constructor(
    readonly n: number,
    seed: string,
  ) {
    if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 52) {
      throw new RangeError(`cannot permute ${n} items`);
    }
    let bits = 2;
    while (2 ** bits < n) bits += 2;
    this.half = bits / 2;
    this.scale = 2 ** this.half;
    this.mask = this.scale - 1;
    this.keys = roundKeys(seed);
  }

  private encrypt(x: number): number {
    let left = Math.floor(x / this.scale);
    let right = x % this.scale;
    for (const key of this.keys) {
      // Halves are at most 26 bits, so XOR on 32-bit integers stays non-negative.
      const next = left ^ (mix(right, key) & this.mask);
      left = right;
      right = next;
    }
    return left * this.scale + right;
  }

  /** The position-th item of the permuted order. */
  at(position: number): number {
    if (position < 0 || position >= this.n)
      throw new RangeError(`position ${position} outside [0, ${this.n})`);
    let x = position;
    // Cycle-walking: bounded, since the walk from an in-range value returns in range.
    do x = this.encrypt(x);
    while (x >= this.n);
    return x;
  }
}
