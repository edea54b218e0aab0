import { describe, expect, it } from 'vitest';
import {
  LAYOUT_NAMES,
  fanBox,
  fanRect,
  layoutSpec,
  screenTransform,
  type LayoutName,
} from '../../../src/capture/phantom/screen-layout.js';
import { dynamicRects } from '../../../src/capture/phantom/screen-static.js';
import type { Rect } from '../../../src/core/frame.js';
import { isMyoError } from '../../../src/core/errors.js';

const SIZES: readonly (readonly [number, number])[] = [
  [1920, 1080],
  [1280, 720],
  [3840, 2160],
  [1440, 1080],
  [640, 480],
  [320, 240],
];

function inside(inner: Rect, outer: Rect): boolean {
  return (
    inner.x >= outer.x &&
    inner.y >= outer.y &&
    inner.x + inner.width <= outer.x + outer.width &&
    inner.y + inner.height <= outer.y + outer.height
  );
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('screen layouts', () => {
  it('put the fan at clearly different places and sizes', () => {
    const boxes = LAYOUT_NAMES.map((name) => fanBox(name, 1920, 1080));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const centreShift = Math.hypot(a.x + a.width / 2 - (b.x + b.width / 2), a.y + a.height / 2 - (b.y + b.height / 2));
        const sizeRatio = Math.max(a.width, b.width) / Math.min(a.width, b.width);
        expect(centreShift, `${LAYOUT_NAMES[i]} vs ${LAYOUT_NAMES[j]}`).toBeGreaterThan(150);
        expect(sizeRatio, `${LAYOUT_NAMES[i]} vs ${LAYOUT_NAMES[j]}`).toBeGreaterThan(1.1);
      }
    }
  });

  it.each(SIZES)('fit a %ix%i screen: fan box, fan rect and text fields inside, text never over the fan', (w, h) => {
    const screen = { x: 0, y: 0, width: w, height: h };
    for (const name of LAYOUT_NAMES) {
      const box = fanBox(name, w, h);
      const rect = fanRect(name, w, h);
      expect(box.width).toBe(box.height);
      expect(inside(box, screen), name).toBe(true);
      expect(inside(rect, box), name).toBe(true);
      // The fan fills the box's width and most of its height: the ROI is mostly fan.
      expect(rect.width).toBe(box.width);
      expect(rect.height / box.height).toBeGreaterThan(0.9);
      for (const field of dynamicRects(name, w, h)) {
        expect(inside(field, screen), `${name} field`).toBe(true);
        expect(overlaps(field, box), `${name} field over the fan`).toBe(false);
      }
    }
  });

  it('scale uniformly and letterbox other aspect ratios', () => {
    expect(screenTransform(3840, 2160)).toMatchObject({ scale: 2, offsetX: 0, offsetY: 0 });
    const t = screenTransform(1440, 1080);
    expect(t.scale).toBeCloseTo(0.75);
    expect(t.offsetX).toBe(0);
    expect(t.offsetY).toBe(135);
    const big = fanBox('standard', 3840, 2160);
    const small = fanBox('standard', 1920, 1080);
    expect(big).toEqual({ x: small.x * 2, y: small.y * 2, width: small.width * 2, height: small.height * 2 });
  });

  it('refuses unknown layouts and impossible sizes with a coded error', () => {
    expect(() => layoutSpec('fancy' as LayoutName)).toThrow(expect.objectContaining({ code: 'MYO_ERR_PHANTOM_PARAMS' }));
    let caught: unknown;
    try {
      screenTransform(10, 10);
    } catch (error) {
      caught = error;
    }
    expect(isMyoError(caught, 'MYO_ERR_PHANTOM_PARAMS')).toBe(true);
  });
});
