import type { FrameSnapshot } from '../pipeline/screening-pipeline.js';
import { encodeGrayPng } from '../imaging/png.js';
import { encodeRgbPng } from './rgb-png.js';

export type FrameOverlay = 'none' | 'attention';

/** Bilinear sample of a small map at (u, v) in [0, 1) of its extent. */
function sample(values: Float32Array, width: number, height: number, u: number, v: number): number {
  const x = Math.max(0, Math.min(width - 1, u * width - 0.5));
  const y = Math.max(0, Math.min(height - 1, v * height - 0.5));
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number): number => values[yy * width + xx] ?? 0;
  return (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
}

/**
 * The frame the model saw as a PNG; with `attention`, the attention map (normalised to its own maximum, so the
 * hottest token is full red) blended over it as a warm heat map. Gray PNG without an overlay or without a map.
 */
export function framePng(snapshot: FrameSnapshot, overlay: FrameOverlay): Buffer {
  const { width, height, gray, attention } = snapshot;
  if (overlay === 'none' || !attention) return encodeGrayPng(gray, width, height);
  let max = 0;
  for (const v of attention.values) if (v > max) max = v;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = y * width + x;
      const g = gray[i] ?? 0;
      const heat = max > 0 ? sample(attention.values, attention.width, attention.height, (x + 0.5) / width, (y + 0.5) / height) / max : 0;
      // Only the upper half of the range is tinted: a flat map leaves the image readable.
      const alpha = Math.max(0, Math.min(1, (heat - 0.3) / 0.7)) * 0.6;
      rgb[i * 3] = Math.round(g * (1 - alpha) + 255 * alpha);
      rgb[i * 3 + 1] = Math.round(g * (1 - alpha) + 255 * heat * heat * alpha);
      rgb[i * 3 + 2] = Math.round(g * (1 - alpha));
    }
  }
  return encodeRgbPng(rgb, width, height);
}
