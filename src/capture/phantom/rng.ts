import { MyoError } from '../../core/errors.js';

/**
 * Deterministic randomness for the phantom: a seeded xoshiro128** stream for drawing cases, and stateless integer
 * hashes for per-sample noise (speckle, textures), so any sample can be recomputed from its coordinates alone.
 * Only 32-bit integer arithmetic and IEEE doubles are used, so the same seed gives the same bytes everywhere.
 */

/** murmur3's 32-bit finaliser: a bijection with full avalanche. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of three 32-bit integers (lattice coordinates and a seed) to a uniform uint32. */
export function hash3(a: number, b: number, c: number): number {
  return hashSeeded(a, b, mix32(c));
}

/** hash3 with the seed already mixed (`seedMix = mix32(seed)`), for hot loops that hash with one seed. */
export function hashSeeded(a: number, b: number, seedMix: number): number {
  return mix32(Math.imul(a, 0x27d4eb2d) ^ Math.imul(b ^ 0x5bd1e995, 0x165667b1) ^ seedMix);
}

/** Uniform in [0, 1) from a hash. */
export function unitFromHash(h: number): number {
  return (h >>> 0) / 4294967296;
}

/** Folds a finite number (integer part, up to 2^53) into 32 bits; refuses NaN and infinities. */
export function seedToUint32(seed: number): number {
  if (!Number.isFinite(seed)) {
    throw new MyoError('MYO_ERR_PHANTOM_PARAMS', `seed must be a finite number, got ${String(seed)}`, { seed });
  }
  const t = Math.trunc(seed);
  const lo = t >>> 0;
  const hi = Math.floor(t / 4294967296) >>> 0;
  return mix32(lo ^ mix32(hi + 0x9e3779b9));
}

/** Seed of item `index` of a collection generated from `seed`: any item can be regenerated alone. */
export function deriveSeed(seed: number, index: number): number {
  return mix32(seedToUint32(seed) ^ mix32(Math.imul((index >>> 0) + 1, 0x9e3779b1)));
}

/** A seeded xoshiro128** generator. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    // splitmix32 spreads one 32-bit seed over the 128-bit state (never all zero).
    let s = seedToUint32(seed);
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      return mix32(s);
    };
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next() | 1;
  }

  /** Next uniform uint32. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9);
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor((hi - lo) * this.float());
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** Standard normal (Box-Muller; one value per call keeps the stream simple to reason about). */
  gaussian(): number {
    const u1 = 1 - this.float();
    const u2 = this.float();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  normal(mean: number, sd: number): number {
    return mean + sd * this.gaussian();
  }

  /** Picks by weight; `weights` must not be empty and must have a positive sum. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let x = this.float() * total;
    for (const [value, w] of choices) {
      x -= w;
      if (x < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (last === undefined) throw new MyoError('MYO_ERR_INTERNAL', 'weighted() needs at least one choice');
    return last[0];
  }

  /** An independent stream for one part of a draw, so adding draws to one part leaves the others unchanged. */
  fork(label: number): Rng {
    return new Rng(mix32(this.uint32() ^ mix32(label)));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
