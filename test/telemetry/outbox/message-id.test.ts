import { describe, expect, it } from 'vitest';
import { createMessageIdGenerator } from '../../../src/telemetry/outbox/message-id.js';

describe('message ids', () => {
  it('put the time first, so ids sort by creation time as text', () => {
    let now = Date.UTC(2026, 0, 1);
    const next = createMessageIdGenerator({ now: () => now, random: (size) => new Uint8Array(size).fill(0xff) });
    const first = next();
    now += 1;
    const second = next();
    expect(first).toHaveLength(26);
    expect(first < second).toBe(true);
    // ULID layout: the first 10 characters are the 48-bit millisecond time.
    expect(parseInt(first.slice(0, 10).replace(/./g, (c) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(c).toString(32)), 32)).toBe(Date.UTC(2026, 0, 1));
  });

  it('stay unique and in order within one millisecond and when the clock steps back', () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const next = createMessageIdGenerator({ now: () => now, random: (size) => new Uint8Array(size).fill(7) });
    const ids = [next(), next(), next()];
    now -= 5000;
    ids.push(next(), next());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('differ between generators through their random part', () => {
    const now = (): number => Date.UTC(2026, 0, 1);
    const ids = new Set(Array.from({ length: 50 }, () => createMessageIdGenerator({ now })()));
    expect(ids.size).toBe(50);
  });
});
