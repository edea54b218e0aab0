import { hash3, unitFromHash } from './rng.js';

const SIZE = 64;
const MASK = SIZE - 1;

/**
 * Smooth value noise in [0, 1) over the plane, periodic every 64 cells. The lattice is hashed once at construction,
 * so a lookup is four table reads and a smoothstep blend: cheap enough to texture every polar sample.
 */
export class NoiseField {
  readonly #values = new Float32Array(SIZE * SIZE);
  readonly #invCell: number;

  /** `cellCm`: feature size in cm. */
  constructor(seed: number, cellCm: number) {
    this.#invCell = 1 / cellCm;
    for (let j = 0; j < SIZE; j++) {
      for (let i = 0; i < SIZE; i++) this.#values[j * SIZE + i] = unitFromHash(hash3(i, j, seed));
    }
  }

  at(x: number, z: number): number {
    const fx = x * this.#invCell;
    const fz = z * this.#invCell;
    const ix = Math.floor(fx);
    const iz = Math.floor(fz);
    let tx = fx - ix;
    let tz = fz - iz;
    tx = tx * tx * (3 - 2 * tx);
    tz = tz * tz * (3 - 2 * tz);
    const x0 = ix & MASK;
    const x1 = (ix + 1) & MASK;
    const r0 = (iz & MASK) * SIZE;
    const r1 = ((iz + 1) & MASK) * SIZE;
    const v = this.#values;
    const a = (v[r0 + x0] ?? 0) + ((v[r0 + x1] ?? 0) - (v[r0 + x0] ?? 0)) * tx;
    const b = (v[r1 + x0] ?? 0) + ((v[r1 + x1] ?? 0) - (v[r1 + x0] ?? 0)) * tx;
    return a + (b - a) * tz;
  }
}
