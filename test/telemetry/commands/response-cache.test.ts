import { describe, expect, it } from 'vitest';
import { ResponseCache } from '../../../src/telemetry/commands/response-cache.js';

describe('ResponseCache', () => {
  it('runs an id once and answers repeats with the first answer while it is fresh', async () => {
    let now = 0;
    let runs = 0;
    const cache = new ResponseCache<number>({ maxEntries: 10, ttlMs: 1000, now: () => now });
    const first = cache.answer('a', () => Promise.resolve(++runs));
    const again = cache.answer('a', () => Promise.resolve(++runs));
    expect(first.repeated).toBe(false);
    expect(again.repeated).toBe(true);
    expect(await again.value).toBe(1);
    now = 1000;
    const stale = cache.answer('a', () => Promise.resolve(++runs));
    expect(stale.repeated).toBe(false);
    expect(await stale.value).toBe(2);
  });

  it('shares a pending answer: a repeat that arrives while the first still runs does not start a second run', async () => {
    let release: (n: number) => void = () => undefined;
    let runs = 0;
    const cache = new ResponseCache<number>({ maxEntries: 10, ttlMs: 60_000 });
    const first = cache.answer('x', () => {
      runs += 1;
      return new Promise<number>((resolve) => (release = resolve));
    });
    const second = cache.answer('x', () => Promise.resolve(99));
    release(7);
    expect(await first.value).toBe(7);
    expect(await second.value).toBe(7);
    expect(runs).toBe(1);
  });

  it('stays bounded: the oldest ids are forgotten first', () => {
    const cache = new ResponseCache<number>({ maxEntries: 3, ttlMs: 60_000 });
    for (const id of ['1', '2', '3', '4', '5']) cache.answer(id, () => Promise.resolve(0));
    expect(cache.size).toBe(3);
    expect(cache.answer('5', () => Promise.resolve(1)).repeated).toBe(true);
    expect(cache.answer('1', () => Promise.resolve(1)).repeated).toBe(false);
  });
});
