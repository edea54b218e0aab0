import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../src/core/errors.js';
import { ScoreAggregator } from '../../src/screening/score-aggregator.js';
import { seededRandom } from './seeded-random.js';

/** The definition: sort a copy, drop floor(n * trim) from each end, average the rest. */
function exactTrimmedMean(values: readonly number[], trim: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const drop = Math.floor(sorted.length * trim);
  const kept = sorted.slice(drop, sorted.length - drop);
  return kept.reduce((sum, v) => sum + v, 0) / kept.length;
}

function filled(values: readonly number[], trimFraction = 0.2): ScoreAggregator {
  const aggregator = new ScoreAggregator({ trimFraction });
  for (const v of values) aggregator.add(v);
  return aggregator;
}

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (error) {
    return isMyoError(error) ? error.code : 'not a MyoError';
  }
  return null;
}

describe('ScoreAggregator', () => {
  it('has no score before the first probability', () => {
    const aggregator = new ScoreAggregator({ trimFraction: 0.2 });
    expect(aggregator.count).toBe(0);
    expect(aggregator.score()).toBeNull();
    expect(aggregator.liveScore()).toBeNull();
  });

  it('drops floor(n * trim) values from each end', () => {
    // n = 10, trim 0.2: the two lowest (0, 0.1) and the two highest (0.9, 1) go; 0.2 .. 0.8 stay.
    const values = [0.9, 0.1, 0.5, 0.0, 0.4, 1.0, 0.3, 0.6, 0.2, 0.8];
    const aggregator = filled(values);
    expect(aggregator.count).toBe(10);
    expect(aggregator.score()).toBeCloseTo(exactTrimmedMean(values, 0.2), 3);
    expect(Math.abs(aggregator.score()! - (0.2 + 0.3 + 0.4 + 0.5 + 0.6 + 0.8) / 6)).toBeLessThan(1 / 2048);
    // n = 4, trim 0.2: floor(0.8) = 0, nothing is dropped.
    expect(Math.abs(filled([0, 0, 0, 1]).score()! - 0.25)).toBeLessThan(1e-12);
  });

  it('is exact when the trim cuts no bin', () => {
    expect(filled([0.123, 0.456, 0.789], 0).score()).toBeCloseTo((0.123 + 0.456 + 0.789) / 3, 12);
  });

  it('stays within 1/2048 of the exact trimmed mean on random exams of any length, in fixed memory', () => {
    const random = seededRandom(42);
    for (const n of [1, 2, 3, 7, 20, 101, 1000, 54_000]) {
      for (const trim of [0, 0.1, 0.2, 0.45]) {
        // Mixtures like real exams: most frames near one value, a few anywhere.
        const centre = random();
        const values = Array.from({ length: n }, () => (random() < 0.9 ? Math.min(1, Math.max(0, centre + (random() - 0.5) * 0.1)) : random()));
        const aggregator = filled(values, trim);
        const error = Math.abs(aggregator.score()! - exactTrimmedMean(values, trim));
        expect(error, `n=${n} trim=${trim}`).toBeLessThan(1 / 2048);
      }
    }
  });

  it('keeps a few extreme frames from moving the score', () => {
    const calm = Array.from({ length: 100 }, (_, i) => 0.2 + (i % 10) * 0.001);
    const withSpikes = [...calm, 1, 1, 1, 1, 1, 0, 0, 0];
    const before = filled(calm).score()!;
    const after = filled(withSpikes).score()!;
    expect(Math.abs(after - before)).toBeLessThan(0.002);
    // The untrimmed mean would have moved by ~0.03: the trim is what holds it.
    expect(Math.abs(filled(withSpikes, 0).score()! - before)).toBeGreaterThan(0.02);
  });

  it('handles the ends of the range exactly (0 and 1 fall in the first and last bins)', () => {
    expect(filled([0, 0, 0], 0).score()).toBe(0);
    expect(filled([1, 1, 1], 0).score()).toBe(1);
    expect(filled([0, 1], 0).score()).toBe(0.5);
  });

  it('gives the configured trim through liveScore() and score() without an argument', () => {
    const values = [0.9, 0.1, 0.5, 0.0, 0.4, 1.0, 0.3, 0.6, 0.2, 0.8];
    const aggregator = filled(values, 0.1);
    expect(aggregator.liveScore()).toBe(aggregator.score(0.1));
    expect(aggregator.score()).toBe(aggregator.score(0.1));
    expect(aggregator.score(0.2)).not.toBe(aggregator.score(0.1));
  });

  it('starts over after reset', () => {
    const aggregator = filled([0.9, 0.9, 0.9]);
    aggregator.reset();
    expect(aggregator.count).toBe(0);
    expect(aggregator.score()).toBeNull();
    aggregator.add(0.1);
    expect(aggregator.score()).toBeCloseTo(0.1, 12);
  });

  it('refuses probabilities outside 0..1 and trims outside [0, 0.5)', () => {
    const aggregator = new ScoreAggregator({ trimFraction: 0.2 });
    for (const bad of [Number.NaN, -0.01, 1.01, Infinity]) expect(codeOf(() => aggregator.add(bad)), String(bad)).toBe('MYO_ERR_ENGINE_FAILED');
    expect(aggregator.count).toBe(0);
    expect(codeOf(() => aggregator.score(0.5))).toBe('MYO_ERR_CONFIG_INVALID');
    expect(codeOf(() => new ScoreAggregator({ trimFraction: -0.1 }))).toBe('MYO_ERR_CONFIG_INVALID');
  });
});
