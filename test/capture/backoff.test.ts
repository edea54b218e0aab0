import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/capture/backoff.js';

describe('Backoff', () => {
  it('doubles from the initial delay up to the maximum (no jitter at random = 0.5)', () => {
    const backoff = new Backoff({ initialDelayMs: 250, maxDelayMs: 3000, random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([250, 500, 1000, 2000, 3000, 3000]);
    expect(backoff.failures).toBe(6);
  });

  it('spreads each delay by the jitter fraction either side, never above the maximum', () => {
    const low = new Backoff({ initialDelayMs: 1000, maxDelayMs: 10_000, jitter: 0.2, random: () => 0 });
    const high = new Backoff({ initialDelayMs: 1000, maxDelayMs: 1500, jitter: 0.2, random: () => 0.999999 });
    expect([low.next(), low.next()]).toEqual([800, 1600]);
    expect([high.next(), high.next()]).toEqual([1200, 1500]);
  });

  it('starts over after a reset', () => {
    const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.failures).toBe(0);
    expect(backoff.next()).toBe(100);
  });
});
