import { describe, expect, it } from 'vitest';
import { ScreenCompositor, formatClock } from '../../../src/capture/phantom/screen-compositor.js';
import { LAYOUT_NAMES, type LayoutName } from '../../../src/capture/phantom/screen-layout.js';
import { dynamicRects, type ScreenParams } from '../../../src/capture/phantom/screen-static.js';
import type { Rect } from '../../../src/core/frame.js';
import { createGray, type GrayImage } from '../../../src/imaging/draw.js';

const PARAMS: ScreenParams = {
  studyNumber: 12,
  probe: 'TV9-4',
  preset: 'GYN TV',
  frequencyMHz: 7.5,
  gainDb: 2,
  depthCm: 9,
  focusCm: 4,
  dynamicRangeDb: 60,
  frameRateHz: 30,
  tgcDb: [0, 1, -1, 2, 0],
  faceFraction: 0.1,
};
const NOON = new Date(2026, 0, 1, 12, 0, 0).getTime();

function noiseFan(size: number, seed: number): GrayImage {
  const img = createGray(size, size);
  let s = seed >>> 0;
  for (let i = 0; i < img.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    img.data[i] = 30 + (s >>> 25);
  }
  return img;
}

function within(x: number, y: number, r: Rect): boolean {
  return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
}

/** Every pixel that differs between a and b, grouped by where it is. */
function diffRegions(a: Uint8Array, b: Uint8Array, width: number, fan: Rect, fields: Rect[]): { fan: number; fields: number[]; elsewhere: number } {
  const out = { fan: 0, fields: fields.map(() => 0), elsewhere: 0 };
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const x = i % width;
    const y = Math.floor(i / width);
    if (within(x, y, fan)) out.fan++;
    else {
      const k = fields.findIndex((r) => within(x, y, r));
      if (k >= 0) out.fields[k] = (out.fields[k] ?? 0) + 1;
      else out.elsewhere++;
    }
  }
  return out;
}

function compositor(layout: LayoutName, width = 960, height = 540): ScreenCompositor {
  const c = new ScreenCompositor(layout, width, height);
  c.setParams(PARAMS);
  return c;
}

describe('ScreenCompositor', () => {
  it.each(LAYOUT_NAMES)('%s: between frames only the fan and the clock/counter/status fields change', (layout) => {
    const c = compositor(layout);
    const size = c.fanBox.width;
    const fields = dynamicRects(layout, 960, 540);
    const a = c.compose(noiseFan(size, 1), { wallTimeMs: NOON, frameNumber: 1, frozen: false });
    const b = c.compose(noiseFan(size, 2), { wallTimeMs: NOON + 1000, frameNumber: 2, frozen: false });
    const d = diffRegions(a, b, 960, c.fanBox, fields);
    expect(d.elsewhere).toBe(0);
    expect(d.fan).toBeGreaterThan(size * size * 0.9);
    expect(d.fields[0]).toBeGreaterThan(0); // clock: 12:00:00 -> 12:00:01
    expect(d.fields[1]).toBe(0); // status: not frozen in either
    expect(d.fields[2]).toBeGreaterThan(0); // frame counter
  });

  it('keeps the fan box identical when given the same fan and shows FREEZE only when frozen', () => {
    const c = compositor('standard');
    const fan = noiseFan(c.fanBox.width, 5);
    const fields = dynamicRects('standard', 960, 540);
    const live = c.compose(fan, { wallTimeMs: NOON, frameNumber: 7, frozen: false });
    const frozen = c.compose(fan, { wallTimeMs: NOON + 3000, frameNumber: 97, frozen: true });
    const d = diffRegions(live, frozen, 960, c.fanBox, fields);
    expect(d.fan).toBe(0);
    expect(d.elsewhere).toBe(0);
    expect(d.fields[1]).toBeGreaterThan(50);
    expect(d.fields[0]).toBeGreaterThan(0);
  });

  it('draws the fan where the layout says and leaves an empty box black', () => {
    const c = compositor('wide');
    const box = c.fanBox;
    const fan = createGray(box.width, box.height, 77);
    const with77 = c.compose(fan, { wallTimeMs: NOON, frameNumber: 0, frozen: false });
    const empty = c.compose(null, { wallTimeMs: NOON, frameNumber: 0, frozen: false });
    for (const [x, y] of [
      [box.x, box.y],
      [box.x + box.width - 1, box.y + box.height - 1],
      [box.x + 10, box.y + 20],
    ] as const) {
      expect(with77[y * 960 + x]).toBe(77);
      expect(empty[y * 960 + x]).toBe(0);
    }
    expect(with77[box.y * 960 + box.x - 1]).not.toBe(77);
  });

  it('redraws the background when the exam parameters change, and only then', () => {
    const c = compositor('compact');
    const overlay = { wallTimeMs: NOON, frameNumber: 0, frozen: false };
    const first = c.compose(null, overlay);
    c.setParams({ ...PARAMS });
    expect(Buffer.compare(c.compose(null, overlay), first)).toBe(0);
    c.setParams({ ...PARAMS, depthCm: 10.5, studyNumber: 13 });
    const changed = c.compose(null, overlay);
    let diff = 0;
    for (let i = 0; i < first.length; i++) if (first[i] !== changed[i]) diff++;
    expect(diff).toBeGreaterThan(20);
  });

  it('writes into a given buffer and refuses a wrong fan size or missing parameters', () => {
    const c = compositor('standard');
    const out = new Uint8Array(960 * 540);
    const result = c.compose(null, { wallTimeMs: NOON, frameNumber: 0, frozen: false }, out);
    expect(result).toBe(out);
    expect(() => c.compose(createGray(10, 10), { wallTimeMs: NOON, frameNumber: 0, frozen: false })).toThrow(
      expect.objectContaining({ code: 'MYO_ERR_INTERNAL' }),
    );
    const bare = new ScreenCompositor('standard', 960, 540);
    expect(() => bare.compose(null, { wallTimeMs: NOON, frameNumber: 0, frozen: false })).toThrow(
      expect.objectContaining({ code: 'MYO_ERR_NOT_READY' }),
    );
  });

  it('formats the clock as local hh:mm:ss without a date', () => {
    expect(formatClock(new Date(2026, 4, 6, 7, 8, 9).getTime())).toBe('07:08:09');
    expect(formatClock(new Date(2026, 4, 6, 23, 59, 59).getTime())).toBe('23:59:59');
  });

  it('composes a 1080p screen in a few milliseconds', () => {
    const c = new ScreenCompositor('standard', 1920, 1080);
    c.setParams(PARAMS);
    const fan = noiseFan(c.fanBox.width, 9);
    for (let i = 0; i < 5; i++) c.compose(fan, { wallTimeMs: NOON + i * 1000, frameNumber: i, frozen: false });
    const n = 30;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) c.compose(fan, { wallTimeMs: NOON + i * 1000, frameNumber: i, frozen: i % 2 === 0 });
    const perFrame = (performance.now() - t0) / n;
    // Typically 1-2 ms; the bound is loose because the test machine is shared.
    expect(perFrame).toBeLessThan(15);
  });
});
