import type { GrayImage } from '../../imaging/draw.js';
import { fanLayout } from './fan-geometry.js';
import { hash3 } from './rng.js';
import type { Acquisition } from './types.js';

/**
 * The fan of a live scanner whose probe touches nothing: a near-blank fan. Only electronic noise, slightly stronger
 * with depth where the TGC amplifies it, and faint reverberation rings just below the probe face (the lens ringing in
 * air). The noise is Rayleigh-distributed like any envelope-detected noise and new every frame, so the fan is not
 * frozen, yet it stays near black: mean about 4 gray levels, standard deviation about 2.5 inside the fan, frame to
 * frame differences of about 3 (below what ROI detection counts as motion, below the signal monitor's blank limit).
 */
/** Mean noise level at the probe face and added at full depth, gray levels. */
export const IDLE_NEAR = 3;
export const IDLE_DEEP_GAIN = 2;
/** Peak brightness of the first reverberation ring; later rings fade. */
const RING_PEAK = 12;
const RING_SPACING_CM = 0.28;
const RING_COUNT = 5;
/** Mean of a unit Rayleigh variable: sqrt(pi / 2). */
const RAYLEIGH_MEAN = 1.2533;

/** Quantiles of a unit Rayleigh variable: a uniform 12-bit hash picks one, so each noise sample is a table read. */
const RAYLEIGH = ((): Float32Array => {
  const table = new Float32Array(4096);
  for (let i = 0; i < table.length; i++) table[i] = Math.sqrt(-2 * Math.log((i + 0.5) / table.length));
  return table;
})();

/** Geometry of one idle fan, computed once per (acquisition, size). */
export class IdleFan {
  readonly size: number;
  /** The pixels inside the fan, with the Rayleigh scale of their noise and their reverberation ring level. */
  readonly #index: Int32Array;
  readonly #sigma: Float32Array;
  readonly #ring: Float32Array;

  constructor(acq: Acquisition, size: number) {
    this.size = size;
    const layout = fanLayout(acq, size, size);
    const index = new Int32Array(size * size);
    const sigma = new Float32Array(size * size);
    const ring = new Float32Array(size * size);
    let n = 0;
    const span = layout.outerRadiusPx - layout.innerRadiusPx;
    const ringPx = RING_SPACING_CM / layout.cmPerPx;
    const inner2 = layout.innerRadiusPx * layout.innerRadiusPx;
    const outer2 = layout.outerRadiusPx * layout.outerRadiusPx;
    // |atan2(dx, dy)| <= half, without an atan2 per pixel (the apex is on the top edge, so dy > 0 in the image).
    const tanHalf = layout.halfAngle < Math.PI / 2 ? Math.tan(layout.halfAngle) : Infinity;
    for (let y = 0; y < size; y++) {
      const dy = y + 0.5 - layout.apexY;
      if (dy <= 0) continue;
      for (let x = 0; x < size; x++) {
        const dx = x + 0.5 - layout.apexX;
        const r2 = dx * dx + dy * dy;
        if (r2 < inner2 || r2 > outer2 || Math.abs(dx) > dy * tanHalf) continue;
        const rho = Math.sqrt(r2);
        index[n] = y * size + x;
        sigma[n] = (IDLE_NEAR + (IDLE_DEEP_GAIN * (rho - layout.innerRadiusPx)) / span) / RAYLEIGH_MEAN;
        const depth = (rho - layout.innerRadiusPx) / ringPx;
        let level = 0;
        if (depth < RING_COUNT) {
          // Each ring is a soft band; the amplitude falls from one ring to the next.
          const k = Math.round(depth);
          const d = depth - k;
          level = RING_PEAK * Math.pow(0.55, k) * Math.exp(-(d * d) / 0.02);
        }
        ring[n] = level;
        n++;
      }
    }
    this.#index = index.slice(0, n);
    this.#sigma = sigma.slice(0, n);
    this.#ring = ring.slice(0, n);
  }

  /** Frame `frame` of the idle loop: new noise each frame, deterministic in (seed, frame). */
  render(seed: number, frame: number): GrayImage {
    const data = new Uint8Array(this.size * this.size);
    const index = this.#index;
    const sigma = this.#sigma;
    const ring = this.#ring;
    for (let k = 0; k < index.length; k++) {
      const p = index[k] as number;
      const v = (sigma[k] as number) * (RAYLEIGH[hash3(p, frame, seed) >>> 20] as number) + (ring[k] as number);
      data[p] = v < 1 ? 1 : v > 255 ? 255 : (v + 0.5) | 0;
    }
    return { width: this.size, height: this.size, data };
  }
}
