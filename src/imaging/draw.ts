import { CHAR_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, LINE_HEIGHT, codePointCount, glyphColumns } from './font.js';

/**
 * Drawing primitives on gray 8-bit buffers (stride == width). Every function clips to the image, so callers can
 * draw partly (or wholly) off-screen without checks, and never allocates except where it returns a new image.
 */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export function createGray(width: number, height: number, fill = 0): GrayImage {
  const data = new Uint8Array(width * height);
  if (fill !== 0) data.fill(clampByte(fill));
  return { width, height, data };
}

export function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

/** The part of `box` inside the image, or null when nothing of it is. Coordinates are rounded down. */
export function clipBox(img: { width: number; height: number }, box: Box): Box | null {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(img.width, Math.floor(box.x + box.width));
  const y1 = Math.min(img.height, Math.floor(box.y + box.height));
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function fillRect(img: GrayImage, box: Box, value: number): void {
  const c = clipBox(img, box);
  if (!c) return;
  const v = clampByte(value);
  for (let y = c.y; y < c.y + c.height; y++) {
    const row = y * img.width;
    img.data.fill(v, row + c.x, row + c.x + c.width);
  }
}

/** One-pixel outline of `box` (its outermost pixels). */
export function strokeRect(img: GrayImage, box: Box, value: number): void {
  const x1 = box.x + box.width - 1;
  const y1 = box.y + box.height - 1;
  fillRect(img, { x: box.x, y: box.y, width: box.width, height: 1 }, value);
  fillRect(img, { x: box.x, y: y1, width: box.width, height: 1 }, value);
  fillRect(img, { x: box.x, y: box.y, width: 1, height: box.height }, value);
  fillRect(img, { x: x1, y: box.y, width: 1, height: box.height }, value);
}

export function setPixel(img: GrayImage, x: number, y: number, value: number): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= img.width || yi >= img.height) return;
  img.data[yi * img.width + xi] = clampByte(value);
}

/** A straight line (Bresenham) from (x0, y0) to (x1, y1), both ends included; `thickness` grows it into a square pen. */
export function drawLine(
  img: GrayImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  value: number,
  thickness = 1,
): void {
  let x = Math.round(x0);
  let y = Math.round(y0);
  const xe = Math.round(x1);
  const ye = Math.round(y1);
  const dx = Math.abs(xe - x);
  const dy = -Math.abs(ye - y);
  const sx = x < xe ? 1 : -1;
  const sy = y < ye ? 1 : -1;
  const half = Math.floor((thickness - 1) / 2);
  let err = dx + dy;
  for (;;) {
    if (thickness <= 1) setPixel(img, x, y, value);
    else fillRect(img, { x: x - half, y: y - half, width: thickness, height: thickness }, value);
    if (x === xe && y === ye) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y += sy;
    }
  }
}

/** A filled disc centred on (cx, cy). */
export function fillCircle(img: GrayImage, cx: number, cy: number, radius: number, value: number): void {
  const r2 = radius * radius;
  const y0 = Math.max(0, Math.floor(cy - radius));
  const y1 = Math.min(img.height - 1, Math.ceil(cy + radius));
  for (let y = y0; y <= y1; y++) {
    const dy = y - cy;
    const span = r2 - dy * dy;
    if (span < 0) continue;
    const half = Math.sqrt(span);
    fillRect(img, { x: Math.ceil(cx - half), y, width: Math.floor(cx + half) - Math.ceil(cx - half) + 1, height: 1 }, value);
  }
}

/** A filled triangle (scanline fill, pixel centres inside the triangle). */
export function fillTriangle(
  img: GrayImage,
  a: readonly [number, number],
  b: readonly [number, number],
  c: readonly [number, number],
  value: number,
): void {
  const minY = Math.max(0, Math.floor(Math.min(a[1], b[1], c[1])));
  const maxY = Math.min(img.height - 1, Math.ceil(Math.max(a[1], b[1], c[1])));
  const edges: readonly (readonly [readonly [number, number], readonly [number, number]])[] = [
    [a, b],
    [b, c],
    [c, a],
  ];
  for (let y = minY; y <= maxY; y++) {
    const yc = y + 0.5;
    let lo = Infinity;
    let hi = -Infinity;
    for (const [p, q] of edges) {
      if ((p[1] <= yc && q[1] > yc) || (q[1] <= yc && p[1] > yc)) {
        const xAt = p[0] + ((yc - p[1]) / (q[1] - p[1])) * (q[0] - p[0]);
        lo = Math.min(lo, xAt);
        hi = Math.max(hi, xAt);
      }
    }
    if (lo > hi) continue;
    const xs = Math.ceil(lo - 0.5);
    const xe = Math.floor(hi - 0.5);
    if (xe >= xs) fillRect(img, { x: xs, y, width: xe - xs + 1, height: 1 }, value);
  }
}

/** Linear gray ramp across `box`: `from` at the top (or left), `to` at the bottom (or right). */
export function fillGradient(
  img: GrayImage,
  box: Box,
  from: number,
  to: number,
  direction: 'vertical' | 'horizontal' = 'vertical',
): void {
  const c = clipBox(img, box);
  if (!c) return;
  const span = Math.max(1, (direction === 'vertical' ? box.height : box.width) - 1);
  for (let y = c.y; y < c.y + c.height; y++) {
    for (let x = c.x; x < c.x + c.width; x++) {
      const t = direction === 'vertical' ? (y - box.y) / span : (x - box.x) / span;
      img.data[y * img.width + x] = clampByte(from + (to - from) * t);
    }
  }
}

export interface TextStyle {
  /** Gray level of the glyph pixels. */
  readonly value: number;
  /** Integer magnification; each font pixel becomes scale x scale pixels. */
  readonly scale?: number;
  /** When given, the text's cell box (measureText plus one font pixel of margin) is filled with it first. */
  readonly background?: number;
}

/**
 * Draws `text` with its top-left at (x, y); '\n' starts a new line. Returns the box the text covers (unclipped),
 * which is what callers clear to redraw dynamic text.
 */
export function drawText(img: GrayImage, x: number, y: number, text: string, style: TextStyle): Box {
  const scale = Math.max(1, Math.floor(style.scale ?? 1));
  const lines = text.split('\n');
  const longest = Math.max(...lines.map(codePointCount));
  const box: Box = {
    x: Math.round(x),
    y: Math.round(y),
    width: Math.max(0, longest * CHAR_ADVANCE - 1) * scale,
    height: ((lines.length - 1) * LINE_HEIGHT + GLYPH_HEIGHT) * scale,
  };
  if (style.background !== undefined) {
    fillRect(img, { x: box.x - scale, y: box.y - scale, width: box.width + 2 * scale, height: box.height + 2 * scale }, style.background);
  }
  const v = clampByte(style.value);
  lines.forEach((line, li) => {
    let cx = box.x;
    const cy = box.y + li * LINE_HEIGHT * scale;
    for (const char of line) {
      drawGlyph(img, cx, cy, glyphColumns(char), v, scale);
      cx += CHAR_ADVANCE * scale;
    }
  });
  return box;
}

function drawGlyph(img: GrayImage, x: number, y: number, columns: Uint8Array, value: number, scale: number): void {
  for (let col = 0; col < GLYPH_WIDTH; col++) {
    const bits = columns[col] ?? 0;
    if (bits === 0) continue;
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      if (((bits >> row) & 1) === 0) continue;
      const px = x + col * scale;
      const py = y + row * scale;
      if (scale === 1) setPixel(img, px, py, value);
      else fillRect(img, { x: px, y: py, width: scale, height: scale }, value);
    }
  }
}

/** Copies `src` (or its `from` part) into `dst` with the top-left at (dx, dy), clipped to both images. */
export function blit(src: GrayImage, dst: GrayImage, dx: number, dy: number, from?: Box): void {
  const region = from ? clipBox(src, from) : { x: 0, y: 0, width: src.width, height: src.height };
  if (!region) return;
  const tx = Math.round(dx);
  const ty = Math.round(dy);
  const target = clipBox(dst, { x: tx, y: ty, width: region.width, height: region.height });
  if (!target) return;
  const sx = region.x + (target.x - tx);
  const sy = region.y + (target.y - ty);
  for (let row = 0; row < target.height; row++) {
    const s = (sy + row) * src.width + sx;
    dst.data.set(src.data.subarray(s, s + target.width), (target.y + row) * dst.width + target.x);
  }
}

export type ScaleFilter = 'nearest' | 'bilinear';

/**
 * Scales all of `src` into the box `to` of `dst` (clipped). Sampling maps pixel centres, so a 2x upscale by
 * `nearest` repeats every pixel exactly twice.
 */
export function blitScaled(src: GrayImage, dst: GrayImage, to: Box, filter: ScaleFilter = 'bilinear'): void {
  const target = clipBox(dst, to);
  if (!target || src.width === 0 || src.height === 0) return;
  const fx = src.width / to.width;
  const fy = src.height / to.height;
  const cols = target.width;
  if (filter === 'nearest') {
    const xIndex = new Int32Array(cols);
    for (let i = 0; i < cols; i++) {
      xIndex[i] = Math.min(src.width - 1, Math.floor((target.x + i - to.x + 0.5) * fx));
    }
    for (let row = 0; row < target.height; row++) {
      const sy = Math.min(src.height - 1, Math.floor((target.y + row - to.y + 0.5) * fy));
      const s = sy * src.width;
      const d = (target.y + row) * dst.width + target.x;
      for (let i = 0; i < cols; i++) dst.data[d + i] = src.data[s + (xIndex[i] ?? 0)] ?? 0;
    }
    return;
  }
  // Fixed point: 8-bit weights, so the inner loop is integer arithmetic on precomputed column tables.
  const x0 = new Int32Array(cols);
  const x1 = new Int32Array(cols);
  const wx = new Int32Array(cols);
  for (let i = 0; i < cols; i++) {
    const sx = Math.min(src.width - 1, Math.max(0, (target.x + i - to.x + 0.5) * fx - 0.5));
    const base = Math.floor(sx);
    x0[i] = base;
    x1[i] = Math.min(src.width - 1, base + 1);
    wx[i] = Math.round((sx - base) * 256);
  }
  const s = src.data;
  const out = dst.data;
  for (let row = 0; row < target.height; row++) {
    const sy = Math.min(src.height - 1, Math.max(0, (target.y + row - to.y + 0.5) * fy - 0.5));
    const yb = Math.floor(sy);
    const wy = Math.round((sy - yb) * 256);
    const r0 = yb * src.width;
    const r1 = Math.min(src.height - 1, yb + 1) * src.width;
    const d = (target.y + row) * dst.width + target.x;
    for (let i = 0; i < cols; i++) {
      const a = x0[i] as number;
      const b = x1[i] as number;
      const w = wx[i] as number;
      const p00 = s[r0 + a] as number;
      const p10 = s[r1 + a] as number;
      const top = (p00 << 8) + ((s[r0 + b] as number) - p00) * w;
      const bottom = (p10 << 8) + ((s[r1 + b] as number) - p10) * w;
      out[d + i] = ((top << 8) + (bottom - top) * wy + 32768) >> 16;
    }
  }
}
