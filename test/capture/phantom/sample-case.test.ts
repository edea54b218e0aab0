import { describe, expect, it } from 'vitest';
import {
  BORDERLINE_MARGIN,
  MAX_DEPTH_RATIO,
  createCase,
  labelFor,
  resolveCaseOptions,
} from '../../../src/capture/phantom/sample-case.js';
import type { CaseOptions, PhantomCase } from '../../../src/capture/phantom/types.js';

function draw(n: number, options: CaseOptions, offset = 0): PhantomCase[] {
  return Array.from({ length: n }, (_, i) => createCase(10_000 + offset + i, options));
}

/** Bounds of a binomial count at +-4 standard deviations: wide enough to be stable, narrow enough to catch a bug. */
function binomialBounds(n: number, p: number): [number, number] {
  const sd = Math.sqrt(n * p * (1 - p));
  return [n * p - 4 * sd, n * p + 4 * sd];
}

describe('createCase', () => {
  it('is deterministic in the seed', () => {
    expect(createCase(77)).toEqual(createCase(77));
    expect(createCase(77)).not.toEqual(createCase(78));
  });

  it('labels by the threshold, always', () => {
    for (const c of draw(300, {})) {
      expect(c.label).toBe(c.depthRatio >= c.threshold ? 1 : 0);
      expect(c.depthRatio).toBeGreaterThanOrEqual(0);
      expect(c.depthRatio).toBeLessThanOrEqual(MAX_DEPTH_RATIO);
      expect(c.borderline).toBe(Math.abs(c.depthRatio - c.threshold) < BORDERLINE_MARGIN);
      expect(c.scene.tumour?.depthRatio ?? 0).toBe(c.depthRatio);
      if (c.kind === 'healthy') expect(c.scene.tumour).toBeNull();
      if (c.kind === 'deep') expect(c.label).toBe(1);
      else expect(c.label).toBe(0);
    }
  });

  it.each([0.15, 0.5])('lands near positiveFraction %s over 400 cases', (p) => {
    const positives = draw(400, { positiveFraction: p }).filter((c) => c.label === 1).length;
    const [lo, hi] = binomialBounds(400, p);
    expect(positives).toBeGreaterThan(lo);
    expect(positives).toBeLessThan(hi);
  });

  it('draws about borderlineFraction of cases within the margin of the threshold, on both sides', () => {
    const cases = draw(400, { borderlineFraction: 0.3 }, 1000);
    const borderline = cases.filter((c) => c.borderline);
    const [lo, hi] = binomialBounds(400, 0.3);
    expect(borderline.length).toBeGreaterThan(lo);
    expect(borderline.length).toBeLessThan(hi);
    expect(borderline.some((c) => c.label === 0)).toBe(true);
    expect(borderline.some((c) => c.label === 1)).toBe(true);
    expect(draw(100, { borderlineFraction: 0 }).filter((c) => c.borderline)).toHaveLength(0);
  });

  it('mixes healthy, confined and superficially invaded negatives, and confounders in both classes', () => {
    const cases = draw(300, {}, 2000);
    const kinds = new Set(cases.filter((c) => c.label === 0).map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['confined', 'healthy', 'superficial']);
    for (const label of [0, 1] as const) {
      const of = cases.filter((c) => c.label === label);
      expect(of.some((c) => c.scene.fibroids.length > 0)).toBe(true);
      expect(of.some((c) => c.scene.gas.length > 0)).toBe(true);
      expect(of.some((c) => c.scene.fluid.length > 0)).toBe(true);
      expect(of.some((c) => c.scene.adenomyosis !== null)).toBe(true);
    }
  });

  it('moves labels with the threshold parameter', () => {
    const low = draw(200, { threshold: 0.3 }, 3000);
    expect(low.every((c) => c.label === labelFor(c.depthRatio, 0.3))).toBe(true);
    // Positives under a 0.3 threshold include invasion a 0.5 threshold calls superficial.
    expect(low.some((c) => c.label === 1 && labelFor(c.depthRatio, 0.5) === 0)).toBe(true);
    const high = draw(200, { threshold: 0.7 }, 3000);
    expect(high.some((c) => c.label === 0 && labelFor(c.depthRatio, 0.5) === 1)).toBe(true);
  });

  it('honours a forced label', () => {
    expect(draw(50, { label: 1, positiveFraction: 0 }).every((c) => c.label === 1)).toBe(true);
    expect(draw(50, { label: 0, positiveFraction: 1 }).every((c) => c.label === 0)).toBe(true);
  });

  it('varies the acquisition within plausible ranges', () => {
    const acqs = draw(100, {}, 4000).map((c) => c.acquisition);
    const spread = (f: (a: (typeof acqs)[number]) => number): number => Math.max(...acqs.map(f)) - Math.min(...acqs.map(f));
    expect(spread((a) => a.depthCm)).toBeGreaterThan(2);
    expect(spread((a) => a.gainDb)).toBeGreaterThan(4);
    expect(spread((a) => a.dynamicRangeDb)).toBeGreaterThan(15);
    expect(spread((a) => a.sectorDeg)).toBeGreaterThan(20);
    expect(spread((a) => a.tiltDeg)).toBeGreaterThan(6);
    expect(spread((a) => a.speckleSize)).toBeGreaterThan(0.4);
    expect(acqs.every((a) => Number.isInteger(a.sectorDeg))).toBe(true);
  });

  it.each<[string, CaseOptions]>([
    ['threshold too low', { threshold: 0 }],
    ['threshold too high', { threshold: 1 }],
    ['threshold NaN', { threshold: Number.NaN }],
    ['negative positiveFraction', { positiveFraction: -0.1 }],
    ['borderlineFraction above 1', { borderlineFraction: 1.5 }],
    ['label 2', { label: 2 as unknown as 0 }],
  ])('refuses %s with MYO_ERR_PHANTOM_PARAMS', (_name, options) => {
    expect(() => createCase(1, options)).toThrow(expect.objectContaining({ code: 'MYO_ERR_PHANTOM_PARAMS' }));
    expect(() => resolveCaseOptions(options)).toThrow(expect.objectContaining({ code: 'MYO_ERR_PHANTOM_PARAMS' }));
  });
});
