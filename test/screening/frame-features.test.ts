import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../src/core/errors.js';
import type { Rect } from '../../src/core/frame.js';
import { measureFrame } from '../../src/screening/frame-features.js';

const W = 200;
const H = 160;
const FULL: Rect = { x: 0, y: 0, width: W, height: H };

function image(fill: (x: number, y: number) => number, width = W, height = H): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = fill(x, y);
  return data;
}

/** Deterministic pseudo-random grey levels (a small LCG), like speckle: neighbours rarely repeat. */
function speckle(seed: number, low: number, high: number): (x: number, y: number) => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return low + (state % (high - low + 1));
  };
}

describe('measureFrame', () => {
  it('sees speckle as tissue with few identical neighbours, and its mean echo', () => {
    const f = measureFrame(image(speckle(7, 40, 200)), W, FULL, 24);
    expect(f.tissueCoverage).toBe(1);
    expect(f.flatFraction).toBeLessThan(0.03);
    expect(f.meanEcho).toBeGreaterThan(110);
    expect(f.meanEcho).toBeLessThan(130);
    expect(f.saturatedFraction).toBe(0);
  });

  it('sees a flat fill as all-flat tissue', () => {
    const f = measureFrame(image(() => 128), W, FULL, 24);
    expect(f).toEqual({ tissueCoverage: 1, flatFraction: 1, centreEcho: 128, saturatedFraction: 0, meanEcho: 128 });
  });

  it('reports a dark screen as no tissue, with zero flat share and mean echo', () => {
    const f = measureFrame(image(() => 10), W, FULL, 24);
    expect(f).toEqual({ tissueCoverage: 0, flatFraction: 0, centreEcho: 10, saturatedFraction: 0, meanEcho: 0 });
  });

  it('counts pixels at the dark level itself as no echo', () => {
    expect(measureFrame(image(() => 24), W, FULL, 24).tissueCoverage).toBe(0);
    expect(measureFrame(image(() => 25), W, FULL, 24).tissueCoverage).toBe(1);
  });

  it('measures tissue coverage and saturation as shares of the sampled grid', () => {
    // Top quarter black, next quarter white, bottom half mid grey: 40 of 160 rows each -> 10 of 40 sampled rows.
    const f = measureFrame(image((_x, y) => (y < 40 ? 0 : y < 80 ? 255 : 100)), W, FULL, 24);
    expect(f.tissueCoverage).toBeCloseTo(0.75, 10);
    expect(f.saturatedFraction).toBeCloseTo(0.25, 10);
    expect(f.meanEcho).toBeCloseTo((255 * 10 + 100 * 20) / 30, 10);
  });

  it('takes centreEcho from x 30-70 % and y 30-75 % of the ROI only', () => {
    // 80 x 80 at (40, 20): the window is x [64, 96), y [44, 80), and all four edges fall on the sampling grid.
    const roi: Rect = { x: 40, y: 20, width: 80, height: 80 };
    const inCentre = (x: number, y: number): boolean => x >= 64 && x < 96 && y >= 44 && y < 80;
    const f = measureFrame(image((x, y) => (inCentre(x, y) ? 90 : 200)), W, roi, 24);
    expect(f.centreEcho).toBe(90);
    // The band just outside the window is bright: any off-by-one in the window would pull the mean up.
    const g = measureFrame(image((x, y) => (inCentre(x, y) ? 30 : 0)), W, roi, 24);
    expect(g.centreEcho).toBe(30);
  });

  it('ignores everything outside the ROI', () => {
    const roi: Rect = { x: 60, y: 40, width: 80, height: 80 };
    const inside = (x: number, y: number): boolean => x >= 60 && x < 140 && y >= 40 && y < 120;
    const base = speckle(3, 30, 220);
    const a = image((x, y) => (inside(x, y) ? base(x, y) : 0));
    const b = Uint8Array.from(a, (v, i) => (inside(i % W, Math.floor(i / W)) ? v : 255));
    expect(measureFrame(b, W, roi, 24)).toEqual(measureFrame(a, W, roi, 24));
  });

  it('compares each sample with its full-resolution right neighbour, inside the ROI', () => {
    // Pairs of equal columns (0=1, 2=3, ...) with a different value every pair: every grid sample (x % 4 == 0)
    // has an identical right neighbour, though no two grid samples are neighbours.
    const pairs = measureFrame(image((x, y) => 30 + ((Math.floor(x / 2) * 7 + y * 13) % 200)), W, FULL, 24);
    expect(pairs.flatFraction).toBe(1);
    // Shifted by one column, every grid sample's neighbour differs.
    const shifted = measureFrame(image((x, y) => 30 + ((Math.floor((x + 1) / 2) * 7 + y * 13) % 200)), W, FULL, 24);
    expect(shifted.flatFraction).toBe(0);
    // A one-pixel-wide ROI has no right neighbour inside it: nothing to compare, not "flat".
    const column = measureFrame(image(() => 100), W, { x: 10, y: 0, width: 1, height: H }, 24);
    expect(column.flatFraction).toBe(0);
    expect(column.tissueCoverage).toBe(1);
  });

  it('samples every 4th pixel in x and y', () => {
    // Off-grid pixels bright, grid pixels dark: coverage sees only the grid.
    const f = measureFrame(image((x, y) => (x % 4 === 0 && y % 4 === 0 ? 0 : 255)), W, FULL, 24);
    expect(f.tissueCoverage).toBe(0);
    expect(f.saturatedFraction).toBe(0);
  });

  it('returns zeros for an empty ROI', () => {
    const f = measureFrame(image(() => 100), W, { x: 5, y: 5, width: 0, height: 0 }, 24);
    expect(f).toEqual({ tissueCoverage: 0, flatFraction: 0, centreEcho: 0, saturatedFraction: 0, meanEcho: 0 });
  });

  it('refuses an ROI that reaches outside the frame with MYO_ERR_FRAME_INVALID', () => {
    const data = image(() => 100);
    for (const roi of [
      { x: 150, y: 0, width: 60, height: 10 },
      { x: 0, y: 150, width: 10, height: 20 },
      { x: -1, y: 0, width: 10, height: 10 },
      { x: 0.5, y: 0, width: 10, height: 10 },
    ]) {
      let caught: unknown = null;
      try {
        measureFrame(data, W, roi, 24);
      } catch (error) {
        caught = error;
      }
      expect(isMyoError(caught, 'MYO_ERR_FRAME_INVALID'), JSON.stringify(roi)).toBe(true);
    }
  });
});
