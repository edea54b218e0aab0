import { MyoError } from '../core/errors.js';
import type { FrameStreamParser, GrayImage } from './gray-frame.js';

export interface RawFrameGeometry {
  readonly width: number;
  readonly height: number;
  /** Bytes per row in the stream; GStreamer pads GRAY8 rows to a multiple of 4. Defaults to `width`. */
  readonly stride?: number;
}

/** The row stride GStreamer uses for GRAY8 (rows padded to 4 bytes). */
export function gstreamerGray8Stride(width: number): number {
  return Math.ceil(width / 4) * 4;
}

/**
 * Incremental parser of headerless raw gray 8-bit frames of a fixed geometry. Rows padded to `stride` are repacked
 * tightly as they stream in, so downstream code only ever sees stride == width. Chunks may split anywhere.
 */
export class RawFrameParser implements FrameStreamParser {
  readonly #width: number;
  readonly #height: number;
  readonly #stride: number;
  readonly #frameBytes: number;
  #frame: Uint8Array | null = null;
  /** Offset inside the current frame in stream bytes (stride units), 0 .. frameBytes. */
  #offset = 0;
  #frames = 0;

  constructor(geometry: RawFrameGeometry) {
    const { width, height } = geometry;
    const stride = geometry.stride ?? width;
    for (const [key, value] of [
      ['width', width],
      ['height', height],
      ['stride', stride],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 16_384) {
        throw new MyoError('MYO_ERR_CAPTURE_STREAM', `raw frame ${key} ${value} is not an integer in 1..16384`, {
          width,
          height,
          stride,
        });
      }
    }
    if (stride < width) {
      throw new MyoError('MYO_ERR_CAPTURE_STREAM', `raw frame stride ${stride} is smaller than the width ${width}`, {
        width,
        stride,
      });
    }
    this.#width = width;
    this.#height = height;
    this.#stride = stride;
    this.#frameBytes = stride * height;
  }

  get frameBytes(): number {
    return this.#frameBytes;
  }

  get frameCount(): number {
    return this.#frames;
  }

  get pendingBytes(): number {
    return this.#offset;
  }

  push(chunk: Uint8Array): GrayImage[] {
    const out: GrayImage[] = [];
    let i = 0;
    while (i < chunk.length) {
      const frame = (this.#frame ??= new Uint8Array(this.#width * this.#height));
      const take = Math.min(this.#frameBytes - this.#offset, chunk.length - i);
      if (this.#stride === this.#width) {
        frame.set(chunk.subarray(i, i + take), this.#offset);
      } else {
        this.#copyPadded(frame, chunk, i, take);
      }
      this.#offset += take;
      i += take;
      if (this.#offset === this.#frameBytes) {
        out.push({ width: this.#width, height: this.#height, data: frame });
        this.#frame = null;
        this.#offset = 0;
        this.#frames += 1;
      }
    }
    return out;
  }

  /** Copies stream bytes [offset, offset + length) of the current frame, dropping each row's padding. */
  #copyPadded(frame: Uint8Array, chunk: Uint8Array, start: number, length: number): void {
    let pos = this.#offset;
    const end = this.#offset + length;
    while (pos < end) {
      const row = Math.floor(pos / this.#stride);
      const col = pos - row * this.#stride;
      const rowEnd = Math.min(end, (row + 1) * this.#stride);
      if (col < this.#width) {
        const n = Math.min(this.#width - col, rowEnd - pos);
        const from = start + (pos - this.#offset);
        frame.set(chunk.subarray(from, from + n), row * this.#width + col);
      }
      pos = rowEnd;
    }
  }
}
