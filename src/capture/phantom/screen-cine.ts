import { blitScaled, createGray, type GrayImage } from '../../imaging/draw.js';
import type { BModeRenderer } from './bmode-renderer.js';
import type { PhantomCase } from './types.js';

/** Distinct frames rendered per exam; played back and forth (ping-pong) for as long as the exam lasts. */
export const CINE_FRAMES = 20;

/** Cine index shown `offset` frames into a ping-pong loop of `count` frames: 0, 1, ..., count-1, count-2, ..., 1, 0, ... */
export function pingPong(offset: number, count: number): number {
  if (count <= 1) return 0;
  const period = 2 * (count - 1);
  const j = ((Math.floor(offset) % period) + period) % period;
  return j < count ? j : period - j;
}

/**
 * One exam's cine loop at screen size. Frames are rendered lazily (renderer at `renderSize`, then scaled to the fan
 * box) and kept until the loop is dropped, so memory is bounded by CINE_FRAMES fan-box images per live loop.
 */
export class CineLoop {
  readonly case: PhantomCase;
  readonly #renderer: BModeRenderer;
  readonly #renderSize: number;
  readonly #boxSize: number;
  readonly #frames: (GrayImage | undefined)[] = [];
  #rendered = 0;

  constructor(c: PhantomCase, renderer: BModeRenderer, renderSize: number, boxSize: number) {
    this.case = c;
    this.#renderer = renderer;
    this.#renderSize = renderSize;
    this.#boxSize = boxSize;
  }

  /** Frames rendered so far. */
  get rendered(): number {
    return this.#rendered;
  }

  has(index: number): boolean {
    return this.#frames[index] !== undefined;
  }

  /** Cine frame `index` (0..CINE_FRAMES-1), rendering it now if needed. */
  frame(index: number): GrayImage {
    const cached = this.#frames[index];
    if (cached) return cached;
    const n = this.#renderSize;
    const image = this.#renderer.render(this.case, { width: n, height: n, frame: index });
    const out = createGray(this.#boxSize, this.#boxSize);
    blitScaled({ width: n, height: n, data: image.pixels }, out, { x: 0, y: 0, width: out.width, height: out.height });
    this.#frames[index] = out;
    this.#rendered++;
    return out;
  }

  /** The first frame not rendered yet, in playback order from `from`, or -1 when the loop is complete. */
  nextMissing(from = 0): number {
    for (let k = 0; k < CINE_FRAMES; k++) {
      const index = (from + k) % CINE_FRAMES;
      if (this.#frames[index] === undefined) return index;
    }
    return -1;
  }
}
