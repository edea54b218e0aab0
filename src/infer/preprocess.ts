import type { Rect } from '../core/frame.js';
import { MyoError } from '../core/errors.js';

/**
 * The preprocessing contract shared with training (training/myotrain/preprocess.py), reimplemented step for step in
 * float32 so the daemon feeds the model exactly what training did:
 *
 *   gray8 ROI (H, W) -> bilinear resize to (S, S) with half-pixel centres, no antialias, edges clamped
 *   -> x * scale (as x / 255) -> (x - mean) / std -> float32 [1, 1, S, S] (NCHW)
 *
 * Every intermediate is rounded with Math.fround where numpy works in float32. The index and weight tables depend
 * only on the ROI size, so they are built once per size and reused; the output tensor is reused too: no allocation
 * per frame on the hot path.
 */
export interface PreprocessSpec {
  /** Model input side S (square). */
  readonly size: number;
  readonly scale: number;
  readonly mean: number;
  readonly std: number;
}

interface AxisTable {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly l0: Float32Array;
  readonly l1: Float32Array;
}

const f32 = Math.fround;

/** Per output index: the two source indices and their float32 weights (training's `source_index`). */
export function axisTable(inp: number, out: number): AxisTable {
  const i0 = new Int32Array(out);
  const i1 = new Int32Array(out);
  const l0 = new Float32Array(out);
  const l1 = new Float32Array(out);
  const scale = f32(f32(inp) / f32(out));
  for (let d = 0; d < out; d += 1) {
    let src = f32(f32(scale * f32(d + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const lo = Math.min(Math.floor(src), inp - 1);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, inp - 1);
    const w1 = f32(src - lo);
    l1[d] = w1;
    l0[d] = f32(1 - w1);
  }
  return { i0, i1, l0, l1 };
}

export class Preprocessor {
  readonly spec: PreprocessSpec;
  /** The model input, reused for every frame: read or copy it before the next call. */
  readonly output: Float32Array;
  readonly #row0: Float32Array;
  readonly #row1: Float32Array;
  #tables: { width: number; height: number; x: AxisTable; y: AxisTable } | null = null;
  /** Training divides by 255 rather than multiplying by 1/255; dividing by f32(1/scale) gives the same bits. */
  readonly #divisor: number;
  readonly #mean: number;
  readonly #std: number;

  constructor(spec: PreprocessSpec) {
    if (!Number.isInteger(spec.size) || spec.size < 1 || !(spec.std > 0)) {
      throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', `bad preprocessing spec: size ${spec.size}, std ${spec.std}`);
    }
    this.spec = spec;
    this.output = new Float32Array(spec.size * spec.size);
    this.#row0 = new Float32Array(spec.size);
    this.#row1 = new Float32Array(spec.size);
    this.#divisor = f32(1 / spec.scale);
    this.#mean = f32(spec.mean);
    this.#std = f32(spec.std);
  }

  #tablesFor(width: number, height: number): { x: AxisTable; y: AxisTable } {
    const cached = this.#tables;
    if (cached && cached.width === width && cached.height === height) return cached;
    const tables = { width, height, x: axisTable(width, this.spec.size), y: axisTable(height, this.spec.size) };
    this.#tables = tables;
    return tables;
  }

  /**
   * Preprocesses the `roi` of a tightly packed gray8 image (`stride` = image width) into `output`. A ROI that is
   * already S x S is copied without resampling, as training does.
   */
  run(pixels: Uint8Array, imageWidth: number, imageHeight: number, roi: Rect = { x: 0, y: 0, width: imageWidth, height: imageHeight }): Float32Array {
    if (
      roi.x < 0 || roi.y < 0 || roi.width < 1 || roi.height < 1 ||
      roi.x + roi.width > imageWidth || roi.y + roi.height > imageHeight || pixels.length < imageWidth * imageHeight
    ) {
      throw new MyoError('MYO_ERR_FRAME_INVALID', `ROI ${JSON.stringify(roi)} does not fit a ${imageWidth}x${imageHeight} frame`);
    }
    const size = this.spec.size;
    const out = this.output;
    if (roi.width === size && roi.height === size) {
      for (let y = 0; y < size; y += 1) {
        const base = (roi.y + y) * imageWidth + roi.x;
        for (let x = 0; x < size; x += 1) out[y * size + x] = this.#normalise(pixels[base + x] ?? 0);
      }
      return out;
    }
    const { x: tx, y: ty } = this.#tablesFor(roi.width, roi.height);
    const row0 = this.#row0;
    const row1 = this.#row1;
    for (let y = 0; y < size; y += 1) {
      const base0 = (roi.y + (ty.i0[y] ?? 0)) * imageWidth + roi.x;
      const base1 = (roi.y + (ty.i1[y] ?? 0)) * imageWidth + roi.x;
      // Horizontal pass for the two source rows (training's `top` and `bot`), then the vertical blend.
      for (let x = 0; x < size; x += 1) {
        const x0 = tx.i0[x] ?? 0;
        const x1 = tx.i1[x] ?? 0;
        const lx0 = tx.l0[x] ?? 0;
        const lx1 = tx.l1[x] ?? 0;
        row0[x] = f32(f32(lx0 * (pixels[base0 + x0] ?? 0)) + f32(lx1 * (pixels[base0 + x1] ?? 0)));
        row1[x] = f32(f32(lx0 * (pixels[base1 + x0] ?? 0)) + f32(lx1 * (pixels[base1 + x1] ?? 0)));
      }
      const ly0 = ty.l0[y] ?? 0;
      const ly1 = ty.l1[y] ?? 0;
      for (let x = 0; x < size; x += 1) {
        const value = f32(f32(ly0 * (row0[x] ?? 0)) + f32(ly1 * (row1[x] ?? 0)));
        out[y * size + x] = this.#normalise(value);
      }
    }
    return out;
  }

  #normalise(value: number): number {
    return f32(f32(f32(value / this.#divisor) - this.#mean) / this.#std);
  }
}
