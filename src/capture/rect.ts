import type { Rect } from '../core/frame.js';

/** Intersection over union of two rectangles (0 when they do not overlap). */
export function rectIoU(a: Rect, b: Rect): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Grows `rect` by `pad` pixels on every side and clips it to a width x height frame. */
export function padAndClamp(rect: Rect, pad: number, width: number, height: number): Rect {
  const x0 = Math.max(0, rect.x - pad);
  const y0 = Math.max(0, rect.y - pad);
  const x1 = Math.min(width, rect.x + rect.width + pad);
  const y1 = Math.min(height, rect.y + rect.height + pad);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

export function fullFrame(width: number, height: number): Rect {
  return { x: 0, y: 0, width, height };
}

/** Why `rect` does not fit a width x height frame, or null when it does. */
export function rectProblem(rect: Rect, width: number, height: number): string | null {
  const values = [rect.x, rect.y, rect.width, rect.height];
  if (!values.every((v) => Number.isInteger(v))) return 'coordinates must be integers';
  if (rect.x < 0 || rect.y < 0 || rect.width < 1 || rect.height < 1) return 'must have x, y >= 0 and a positive size';
  if (rect.x + rect.width > width || rect.y + rect.height > height) {
    return `${rect.width}x${rect.height}+${rect.x}+${rect.y} reaches outside the ${width}x${height} frame`;
  }
  return null;
}
