import { afterEach, describe, expect, it } from 'vitest';
import type { ExamRecord } from '../../src/records/exam-record.js';
import type { ExamPage, ExamStore } from '../../src/records/exam-store.js';
import { encodeCursor } from '../../src/records/list-query.js';
import { sampleRecord, shuffled, sortNewestFirst } from './sample-records.js';

export type ExamStoreFactory = (opts?: { maxRecords?: number }) => ExamStore;

function allPages(store: ExamStore, options: { limit?: number; decision?: ExamRecord['decision'] }): ExamPage[] {
  const pages: ExamPage[] = [];
  let cursor: string | null = null;
  do {
    const page = store.list({ ...options, cursor });
    pages.push(page);
    cursor = page.next;
  } while (cursor !== null && pages.length < 100);
  return pages;
}

/** The behaviour every ExamStore must show; each store's test file runs it with its own factory. */
export function describeExamStoreContract(name: string, factory: ExamStoreFactory): void {
  describe(`${name}: the ExamStore contract`, () => {
    const opened: ExamStore[] = [];
    const open = (opts?: { maxRecords?: number }): ExamStore => {
      const store = factory(opts);
      opened.push(store);
      return store;
    };

    afterEach(() => {
      for (const store of opened.splice(0)) store.close();
    });

    it('gets back exactly what it saved, and null for an unknown id', () => {
      const store = open();
      const record = sampleRecord(1);
      store.save(record);
      expect(store.get(record.id)).toEqual(record);
      expect(store.get(sampleRecord(2).id)).toBeNull();
      expect(store.get('not-an-id')).toBeNull();
      expect(store.count()).toBe(1);
    });

    it('is not changed through the objects it was given or handed out', () => {
      const store = open();
      const record = structuredClone(sampleRecord(1)) as { -readonly [K in keyof ExamRecord]: ExamRecord[K] };
      store.save(record);
      record.detail = 'changed after save';
      const got = store.get(record.id) as { detail: string };
      got.detail = 'changed after get';
      expect(store.get(record.id)?.detail).toBe('sample exam 1');
    });

    it('treats saving an identical record again as done, even with its fields in another order', () => {
      const store = open();
      const record = sampleRecord(3);
      store.save(record);
      store.save(record);
      const reordered = Object.fromEntries(Object.entries(structuredClone(record)).reverse()) as unknown as ExamRecord;
      store.save(reordered);
      expect(store.count()).toBe(1);
      expect(store.get(record.id)).toEqual(record);
    });

    it('refuses different content under a stored id with MYO_ERR_RECORD_CONFLICT and keeps the first', () => {
      const store = open();
      const record = sampleRecord(3);
      store.save(record);
      expect(() => store.save({ ...record, detail: 'another exam' })).toThrow(expect.objectContaining({ code: 'MYO_ERR_RECORD_CONFLICT' }));
      expect(() => store.save({ ...record, frames: { ...record.frames, seen: record.frames.seen + 1 } })).toThrow(
        expect.objectContaining({ code: 'MYO_ERR_RECORD_CONFLICT', details: { id: record.id } }),
      );
      expect(store.get(record.id)).toEqual(record);
      expect(store.count()).toBe(1);
    });

    it('refuses a malformed record with MYO_ERR_RECORD_INVALID and stores nothing', () => {
      const store = open();
      const good = sampleRecord(0);
      const bad: unknown[] = [
        { ...good, id: 'ex_lowercase0000000000000000' },
        { ...good, endedAt: '2026-01-01T08:00:00Z' },
        { ...good, endedAt: '2026-01-01T08:00:00.000+01:00' },
        { ...good, score: 1.5 },
        { ...good, decision: 'maybe' },
        { ...good, frames: { ...good.frames, usable: -1 } },
        { ...good, frames: { ...good.frames, rejected: { ...good.frames.rejected, blurry: 1 } } },
        { ...good, patientName: 'nobody' },
        { ...good, decision: 'refer', reason: 'signal_lost' },
        { ...good, decision: 'inconclusive', reason: null, score: null },
      ];
      for (const record of bad) {
        expect(() => store.save(record as ExamRecord), JSON.stringify(record)).toThrow(
          expect.objectContaining({ code: 'MYO_ERR_RECORD_INVALID' }),
        );
      }
      expect(store.count()).toBe(0);
    });

    it('pages 120 records newest first, by endedAt then id, with cursors that end in null', () => {
      const store = open();
      // Three records per minute, so the id decides the order within each minute.
      const records = Array.from({ length: 120 }, (_, index) => sampleRecord(Math.floor(index / 3)));
      for (const record of shuffled(records)) store.save(record);
      const expected = sortNewestFirst(records);

      const byDefault = allPages(store, {});
      expect(byDefault.map((page) => page.items.length)).toEqual([50, 50, 20]);
      expect(byDefault.flatMap((page) => page.items)).toEqual(expected);
      expect(byDefault.at(-1)?.next).toBeNull();

      // An exact multiple of the limit: the last full page already says there is no more.
      const byForty = allPages(store, { limit: 40 });
      expect(byForty.map((page) => page.items.length)).toEqual([40, 40, 40]);
      expect(byForty.flatMap((page) => page.items.map((item) => item.id))).toEqual(expected.map((record) => record.id));

      expect(store.list({ limit: 500 })).toEqual({ items: expected, next: null });
    });

    it('continues a page from its cursor without repeats or gaps while records are added', () => {
      const store = open();
      const records = Array.from({ length: 30 }, (_, index) => sampleRecord(index));
      for (const record of records) store.save(record);
      const first = store.list({ limit: 10 });
      expect(first.items.map((item) => item.detail)).toEqual(Array.from({ length: 10 }, (_, index) => `sample exam ${29 - index}`));
      store.save(sampleRecord(1000));
      store.save(sampleRecord(-5));
      const following: ExamRecord[] = [];
      let cursor = first.next;
      while (cursor !== null && following.length < 100) {
        const page = store.list({ limit: 10, cursor });
        following.push(...page.items);
        cursor = page.next;
      }
      const olderMinutes = [...Array.from({ length: 20 }, (_, index) => 19 - index), -5];
      expect(following.map((item) => item.detail)).toEqual(olderMinutes.map((minute) => `sample exam ${minute}`));
      expect(store.list({ limit: 1 }).items[0]?.detail).toBe('sample exam 1000');
    });

    it('filters by decision, also across pages', () => {
      const store = open();
      const records = Array.from({ length: 120 }, (_, index) => sampleRecord(index));
      for (const record of shuffled(records)) store.save(record);
      for (const decision of ['refer', 'no_invasion', 'inconclusive'] as const) {
        const expected = sortNewestFirst(records.filter((record) => record.decision === decision));
        expect(expected).toHaveLength(40);
        const pages = allPages(store, { decision, limit: 15 });
        expect(pages.map((page) => page.items.length)).toEqual([15, 15, 10]);
        expect(pages.flatMap((page) => page.items)).toEqual(expected);
      }
    });

    it('takes limits from 1 to 500 and refuses others with MYO_ERR_QUERY_INVALID', () => {
      const store = open();
      for (let minute = 0; minute < 3; minute += 1) store.save(sampleRecord(minute));
      expect(store.list({ limit: 1 }).items).toHaveLength(1);
      expect(store.list({ limit: 500 }).items).toHaveLength(3);
      expect(store.list().items).toHaveLength(3);
      for (const limit of [0, -1, 501, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => store.list({ limit }), String(limit)).toThrow(expect.objectContaining({ code: 'MYO_ERR_QUERY_INVALID' }));
      }
    });

    it('defaults to 50 records a page', () => {
      const store = open();
      for (let minute = 0; minute < 51; minute += 1) store.save(sampleRecord(minute));
      const page = store.list();
      expect(page.items).toHaveLength(50);
      expect(page.next).not.toBeNull();
    });

    it('refuses a cursor it did not hand out, and an unknown decision, with MYO_ERR_QUERY_INVALID', () => {
      const store = open();
      const only = sampleRecord(0);
      store.save(only);
      // The cursor of the only record: valid, and nothing comes after it.
      const valid = encodeCursor(only);
      const forged = [
        '',
        'garbage',
        `${valid}!`,
        `${valid}==`,
        Buffer.from('{"endedAt":"2026-01-01T08:00:00.000Z"}').toString('base64url'),
        Buffer.from('["2026-01-01T08:00:00.000Z","ex_x"]').toString('base64url'),
        Buffer.from('["yesterday","ex_00000000000000000000000000"]').toString('base64url'),
        Buffer.from('not json').toString('base64url'),
      ];
      for (const cursor of forged) {
        expect(() => store.list({ cursor }), cursor).toThrow(expect.objectContaining({ code: 'MYO_ERR_QUERY_INVALID' }));
      }
      expect(() => store.list({ decision: 'maybe' as ExamRecord['decision'] })).toThrow(
        expect.objectContaining({ code: 'MYO_ERR_QUERY_INVALID' }),
      );
      expect(store.list({ cursor: valid }).items).toEqual([]);
    });

    it('sums up records by decision with the newest end time', () => {
      const store = open();
      expect(store.stats()).toEqual({ total: 0, byDecision: { refer: 0, no_invasion: 0, inconclusive: 0 }, lastEndedAt: null });
      const records = [sampleRecord(7), sampleRecord(0), sampleRecord(3), sampleRecord(1), sampleRecord(2)];
      for (const record of records) store.save(record);
      expect(store.stats()).toEqual({
        total: 5,
        byDecision: { refer: 2, no_invasion: 2, inconclusive: 1 },
        lastEndedAt: records[0]!.endedAt,
      });
    });

    it('drops the oldest records beyond maxRecords and keeps the newest', () => {
      const store = open({ maxRecords: 10 });
      const records = Array.from({ length: 25 }, (_, index) => sampleRecord(Math.floor(index / 2)));
      for (const record of shuffled(records, 11)) {
        store.save(record);
        expect(store.count()).toBeLessThanOrEqual(10);
      }
      const newest = sortNewestFirst(records).slice(0, 10);
      expect(store.count()).toBe(10);
      expect(store.list({ limit: 500 }).items).toEqual(newest);
      expect(store.stats().total).toBe(10);
      // A record older than everything in a full store is the oldest one, so it goes at once.
      const ancient = sampleRecord(-100);
      store.save(ancient);
      expect(store.get(ancient.id)).toBeNull();
      expect(store.count()).toBe(10);
    });

    it('refuses a maxRecords that is not a positive integer', () => {
      for (const maxRecords of [0, -5, 1.5]) {
        expect(() => open({ maxRecords }), String(maxRecords)).toThrow(expect.objectContaining({ code: 'MYO_ERR_CONFIG_INVALID' }));
      }
    });

    it('refuses every call after close() with MYO_ERR_LIFECYCLE; closing twice is fine', () => {
      const store = open();
      store.close();
      store.close();
      const closed: unknown = expect.objectContaining({ code: 'MYO_ERR_LIFECYCLE' });
      expect(() => store.save(sampleRecord(0))).toThrow(closed);
      expect(() => store.get('ex_00000000000000000000000000')).toThrow(closed);
      expect(() => store.list()).toThrow(closed);
      expect(() => store.count()).toThrow(closed);
      expect(() => store.stats()).toThrow(closed);
    });
  });
}
