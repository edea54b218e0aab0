import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import { NoiseField } from '../../../src/capture/phantom/noise-field.js';
import { Rng, deriveSeed, hash3, seedToUint32 } from '../../../src/capture/phantom/rng.js';

describe('Rng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 16 }, () => a.uint32());
    const sb = Array.from({ length: 16 }, () => b.uint32());
    const sc = Array.from({ length: 16 }, () => c.uint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('draws uniform floats and standard normals with the right moments', () => {
    const rng = new Rng(7);
    const n = 20_000;
    let sum = 0;
    let sumSq = 0;
    let gSum = 0;
    let gSq = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.float();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      sum += u;
      sumSq += u * u;
      const g = rng.gaussian();
      gSum += g;
      gSq += g * g;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 1);
    expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    expect(gSum / n).toBeCloseTo(0, 1);
    expect(gSq / n).toBeGreaterThan(0.95);
    expect(gSq / n).toBeLessThan(1.05);
  });

  it('picks by weight and never picks a zero weight', () => {
    const rng = new Rng(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 4000; i++) counts[rng.weighted<'a' | 'b' | 'c'>([['a', 3], ['b', 1], ['c', 0]])] += 1;
    expect(counts.c).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.5);
    expect(counts.a / counts.b).toBeLessThan(3.5);
  });

  it('forks independent, reproducible streams', () => {
    const f1 = new Rng(5).fork(1).uint32();
    const f1again = new Rng(5).fork(1).uint32();
    const f2 = new Rng(5).fork(2).uint32();
    expect(f1).toBe(f1again);
    expect(f1).not.toBe(f2);
  });

  it('refuses non-finite seeds with MYO_ERR_PHANTOM_PARAMS', () => {
    expect(() => new Rng(Number.NaN)).toThrow(expect.objectContaining({ code: 'MYO_ERR_PHANTOM_PARAMS' }));
    try {
      seedToUint32(Number.POSITIVE_INFINITY);
      expect.unreachable();
    } catch (error) {
      expect(isMyoError(error, 'MYO_ERR_PHANTOM_PARAMS')).toBe(true);
    }
  });

  it('derives distinct per-item seeds and folds large seeds without collapsing them', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(9, i)));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(9, 3)).toBe(deriveSeed(9, 3));
    expect(seedToUint32(2 ** 40 + 1)).not.toBe(seedToUint32(1));
  });
});

describe('hash3 and NoiseField', () => {
  it('hashes lattice coordinates to well-spread values', () => {
    let ones = 0;
    for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) ones += hash3(i, j, 1) & 1;
    expect(ones / 4096).toBeGreaterThan(0.45);
    expect(ones / 4096).toBeLessThan(0.55);
    expect(hash3(1, 2, 3)).not.toBe(hash3(2, 1, 3));
  });

  it('is smooth, in [0, 1), and periodic over 64 cells', () => {
    const field = new NoiseField(11, 0.5);
    let maxStep = 0;
    for (let i = 0; i < 400; i++) {
      const x = i * 0.01;
      const v = field.at(x, 1.234);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      maxStep = Math.max(maxStep, Math.abs(field.at(x + 0.01, 1.234) - v));
    }
    expect(maxStep).toBeLessThan(0.1);
    expect(field.at(0.3, 0.7)).toBeCloseTo(field.at(0.3 + 64 * 0.5, 0.7), 6);
  });
});
