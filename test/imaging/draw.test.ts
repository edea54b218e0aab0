import { describe, expect, it } from 'vitest';
import {
  blit,
  blitScaled,
  clipBox,
  createGray,
  drawLine,
  drawText,
  fillCircle,
  fillGradient,
  fillRect,
  fillTriangle,
  strokeRect,
  type GrayImage,
} from '../../src/imaging/draw.js';
import { glyphPixel } from '../../src/imaging/font.js';

function at(img: GrayImage, x: number, y: number): number {
  return img.data[y * img.width + x]!;
}

function count(img: GrayImage, value: number): number {
  let n = 0;
  for (const v of img.data) if (v === value) n++;
  return n;
}

describe('draw', () => {
  it('fills rectangles and clips them at every edge', () => {
    const img = createGray(10, 8);
    fillRect(img, { x: -3, y: -2, width: 5, height: 4 }, 200);
    expect(count(img, 200)).toBe(2 * 2);
    expect(at(img, 1, 1)).toBe(200);
    expect(at(img, 2, 1)).toBe(0);
    fillRect(img, { x: 8, y: 6, width: 10, height: 10 }, 50);
    expect(count(img, 50)).toBe(2 * 2);
    fillRect(img, { x: 20, y: 0, width: 5, height: 5 }, 99);
    fillRect(img, { x: 0, y: -9, width: 5, height: 5 }, 99);
    expect(count(img, 99)).toBe(0);
    fillRect(img, { x: 0, y: 0, width: 10, height: 8 }, 300);
    expect(count(img, 255)).toBe(80);
  });

  it('clips boxes', () => {
    expect(clipBox({ width: 10, height: 10 }, { x: -5, y: 8, width: 8, height: 8 })).toEqual({
      x: 0,
      y: 8,
      width: 3,
      height: 2,
    });
    expect(clipBox({ width: 10, height: 10 }, { x: 10, y: 0, width: 3, height: 3 })).toBeNull();
  });

  it('strokes only the outline', () => {
    const img = createGray(6, 6);
    strokeRect(img, { x: 1, y: 1, width: 4, height: 4 }, 9);
    expect(count(img, 9)).toBe(12);
    expect(at(img, 2, 2)).toBe(0);
    expect(at(img, 4, 4)).toBe(9);
  });

  it('draws lines with both ends and clips them', () => {
    const img = createGray(10, 10);
    drawLine(img, 0, 0, 9, 9, 7);
    for (let i = 0; i < 10; i++) expect(at(img, i, i)).toBe(7);
    expect(count(img, 7)).toBe(10);
    const clipped = createGray(10, 10);
    drawLine(clipped, -5, 5, 20, 5, 3);
    expect(count(clipped, 3)).toBe(10);
    const thick = createGray(10, 10);
    drawLine(thick, 2, 5, 7, 5, 1, 3);
    expect(count(thick, 1)).toBe(8 * 3);
  });

  it('fills circles and triangles inside their outline', () => {
    const img = createGray(21, 21);
    fillCircle(img, 10, 10, 5, 100);
    const n = count(img, 100);
    expect(n).toBeGreaterThan(Math.PI * 25 * 0.85);
    expect(n).toBeLessThan(Math.PI * 25 * 1.25);
    expect(at(img, 10, 10)).toBe(100);
    expect(at(img, 10, 16)).toBe(0);
    const tri = createGray(10, 10);
    fillTriangle(tri, [0, 0], [10, 0], [0, 10], 5);
    expect(count(tri, 5)).toBeGreaterThan(40);
    expect(count(tri, 5)).toBeLessThan(60);
    expect(at(tri, 1, 1)).toBe(5);
    expect(at(tri, 8, 8)).toBe(0);
    fillTriangle(tri, [-20, -20], [-10, -20], [-15, -5], 6);
    expect(count(tri, 6)).toBe(0);
  });

  it('fills gradients from one end to the other', () => {
    const img = createGray(4, 5);
    fillGradient(img, { x: 0, y: 0, width: 4, height: 5 }, 0, 200);
    expect(at(img, 0, 0)).toBe(0);
    expect(at(img, 3, 2)).toBe(100);
    expect(at(img, 2, 4)).toBe(200);
    const h = createGray(5, 1);
    fillGradient(h, { x: 0, y: 0, width: 5, height: 1 }, 255, 55, 'horizontal');
    expect([...h.data]).toEqual([255, 205, 155, 105, 55]);
  });

  it('draws text from the font at scale and reports its box', () => {
    const img = createGray(40, 20);
    const box = drawText(img, 1, 2, 'A1', { value: 250, scale: 2 });
    expect(box).toEqual({ x: 1, y: 2, width: 22, height: 16 });
    for (let row = 0; row < 8; row++) {
      for (let col = 0; col < 5; col++) {
        const want = glyphPixel('A', col, row) ? 250 : 0;
        expect(at(img, 1 + col * 2, 2 + row * 2)).toBe(want);
        expect(at(img, 2 + col * 2, 3 + row * 2)).toBe(want);
        expect(at(img, 13 + col * 2, 2 + row * 2)).toBe(glyphPixel('1', col, row) ? 250 : 0);
      }
    }
    // Nothing outside the box.
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) {
      if (x < 1 || x >= 23 || y < 2 || y >= 18) expect(at(img, x, y)).toBe(0);
    }
  });

  it('clears a background behind text and clips text at the edges', () => {
    const img = createGray(12, 12, 9);
    drawText(img, 3, 3, 'I', { value: 200, background: 0 });
    expect(at(img, 2, 2)).toBe(0);
    expect(at(img, 0, 0)).toBe(9);
    const edge = createGray(8, 8);
    expect(() => drawText(edge, -3, -3, 'HH\nHH', { value: 1, scale: 3 })).not.toThrow();
    // Only the crossbar of the first H (font rows 3, columns 1-3) lands inside: 8 x 2 pixels.
    expect(count(edge, 1)).toBe(16);
  });

  it('blits regions with clipping', () => {
    const src = createGray(4, 4);
    src.data.forEach((_, i) => (src.data[i] = i + 1));
    const dst = createGray(6, 6);
    blit(src, dst, -2, 4);
    // src (2,0)->dst(0,4), (3,1)->dst(1,5)
    expect(at(dst, 0, 4)).toBe(3);
    expect(at(dst, 1, 5)).toBe(8);
    expect(count(dst, 0)).toBe(36 - 4);
    const part = createGray(3, 3);
    blit(src, part, 1, 1, { x: 2, y: 2, width: 2, height: 2 });
    expect([...part.data]).toEqual([0, 0, 0, 0, 11, 12, 0, 15, 16]);
  });

  it('scales with nearest and bilinear sampling', () => {
    const src = createGray(2, 2);
    src.data.set([0, 100, 200, 40]);
    const near = createGray(4, 4);
    blitScaled(src, near, { x: 0, y: 0, width: 4, height: 4 }, 'nearest');
    expect([...near.data]).toEqual([0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 40, 40, 200, 200, 40, 40]);
    const lin = createGray(4, 4);
    blitScaled(src, lin, { x: 0, y: 0, width: 4, height: 4 }, 'bilinear');
    expect(at(lin, 0, 0)).toBe(0);
    expect(at(lin, 3, 3)).toBe(40);
    expect(at(lin, 1, 0)).toBe(25);
    expect(at(lin, 0, 1)).toBe(50);
    const clipped = createGray(3, 3);
    blitScaled(src, clipped, { x: -2, y: -2, width: 4, height: 4 }, 'nearest');
    expect([...clipped.data]).toEqual([40, 40, 0, 40, 40, 0, 0, 0, 0]);
    const down = createGray(1, 1);
    blitScaled(near, down, { x: 0, y: 0, width: 1, height: 1 }, 'nearest');
    expect(down.data[0]).toBe(40);
  });
});
