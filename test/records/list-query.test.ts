import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, newestFirst, resolveListQuery } from '../../src/records/list-query.js';

const position = { endedAt: '2026-03-04T05:06:07.089Z', id: 'ex_0123456789ABCDEFGHJKMNPQRS' };

describe('list queries', () => {
  it('round-trips a position through an opaque cursor', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain(position.id);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('fills in the defaults', () => {
    expect(resolveListQuery()).toEqual({ limit: 50, after: null, decision: null });
    expect(resolveListQuery({ cursor: null, limit: 7, decision: 'refer' })).toEqual({ limit: 7, after: null, decision: 'refer' });
    expect(resolveListQuery({ cursor: encodeCursor(position) }).after).toEqual(position);
  });

  it('refuses a cursor that decodes to the same bytes but is not the text it handed out', () => {
    const cursor = encodeCursor(position);
    // Node's base64url decoder drops a dangling last character, so this text reads as the same bytes.
    const sloppy = `${cursor}A`;
    expect(Buffer.from(sloppy, 'base64url')).toEqual(Buffer.from(cursor, 'base64url'));
    expect(() => decodeCursor(sloppy)).toThrow(expect.objectContaining({ code: 'MYO_ERR_QUERY_INVALID' }));
    expect(() => decodeCursor('x'.repeat(401))).toThrow(expect.objectContaining({ code: 'MYO_ERR_QUERY_INVALID' }));
  });

  it('orders newest first by endedAt, then id', () => {
    const older = { endedAt: '2026-03-04T05:06:07.088Z', id: 'ex_7ZZZZZZZZZZZZZZZZZZZZZZZZZ' };
    const sameTimeLowerId = { ...position, id: 'ex_0000000000000000000000000' };
    expect([older, sameTimeLowerId, position].sort(newestFirst)).toEqual([position, sameTimeLowerId, older]);
    expect(newestFirst(position, position)).toBe(0);
  });
});
