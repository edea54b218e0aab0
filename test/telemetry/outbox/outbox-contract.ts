import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../../src/core/clock.js';
import type { Outbox, OutboxClass, OutboxMessage } from '../../../src/telemetry/outbox/outbox.js';

export interface OutboxFactoryOptions {
  readonly maxMessages?: number;
  readonly maxBytes?: number;
  readonly clock?: Clock;
}

export type OutboxFactory = (opts?: OutboxFactoryOptions) => Outbox;

/** A QoS 1 message of `messageClass` whose payload names it, so a test can tell entries apart by payload. */
export function message(messageClass: OutboxClass, name: string, extra: Partial<OutboxMessage> = {}): OutboxMessage {
  return { topic: `myoscreen/v1/cart-1/${messageClass}`, payload: name, qos: 1, retain: false, class: messageClass, ...extra };
}

function names(outbox: Outbox, limit = 1000): string[] {
  return outbox.peek(limit).map((entry) => entry.payload.toString('utf8'));
}

/** The behaviour every Outbox must show; each adapter's test file runs it with its own factory. */
export function describeOutboxContract(name: string, factory: OutboxFactory): void {
  describe(`${name}: the Outbox contract`, () => {
    const opened: Outbox[] = [];
    const open = (opts?: OutboxFactoryOptions): Outbox => {
      const outbox = factory(opts);
      opened.push(outbox);
      return outbox;
    };

    afterEach(() => {
      for (const outbox of opened.splice(0)) outbox.close();
    });

    it('assigns increasing seqs and unique, time-sortable message ids, and keeps what it was given', () => {
      const clock = new ManualClock(0, Date.UTC(2026, 2, 1));
      const outbox = open({ clock });
      const first = outbox.enqueue(message('event', 'a', { payload: Buffer.from([0, 1, 2, 255]), retain: true, qos: 0 }));
      clock.advance(5);
      const second = outbox.enqueue(message('exam_summary', 'b', { payload: 'héllo', expiresAt: Date.UTC(2027, 0, 1) }));
      const third = outbox.enqueue(message('metrics', 'c'));
      expect(second.seq).toBeGreaterThan(first.seq);
      expect(third.seq).toBeGreaterThan(second.seq);
      const ids = [first.messageId, second.messageId, third.messageId];
      expect(new Set(ids).size).toBe(3);
      for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect([...ids].sort()).toEqual(ids);
      expect(first).toMatchObject({ topic: 'myoscreen/v1/cart-1/event', qos: 0, retain: true, class: 'event', state: 'pending', attempts: 0, expiresAt: null });
      expect(first.enqueuedAt).toBe(Date.UTC(2026, 2, 1));
      expect([...first.payload]).toEqual([0, 1, 2, 255]);
      expect(second.payload.toString('utf8')).toBe('héllo');
      expect(second.bytes).toBe(Buffer.byteLength('héllo') + Buffer.byteLength('myoscreen/v1/cart-1/exam_summary'));
      expect(second.expiresAt).toBe(Date.UTC(2027, 0, 1));
      expect(outbox.peek(10)).toEqual([first, second, third]);
    });

    it('delivers in enqueue order whatever the class, and peek honours its limit', () => {
      const outbox = open();
      const classes: OutboxClass[] = ['exam_summary', 'metrics', 'event', 'health', 'job_status', 'info'];
      classes.forEach((messageClass, index) => outbox.enqueue(message(messageClass, `m${index}`)));
      expect(names(outbox)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
      expect(names(outbox, 2)).toEqual(['m0', 'm1']);
      // Peeking does not consume.
      expect(names(outbox, 2)).toEqual(['m0', 'm1']);
      expect(() => outbox.peek(0)).toThrow(expect.objectContaining({ code: 'MYO_ERR_OUTBOX_MESSAGE_INVALID' }));
    });

    it('hides in-flight entries from peek, acks delete them and nacks put them back in their place', () => {
      const outbox = open();
      const [a, b, c] = ['a', 'b', 'c'].map((payload) => outbox.enqueue(message('event', payload)));
      expect(outbox.markInFlight(a!.seq)).toBe(true);
      expect(outbox.markInFlight(b!.seq)).toBe(true);
      expect(outbox.markInFlight(b!.seq)).toBe(false);
      expect(names(outbox)).toEqual(['c']);
      expect(outbox.stats()).toMatchObject({ pending: 1, inFlight: 2 });

      expect(outbox.nack(b!.seq)).toBe(true);
      expect(outbox.nack(b!.seq)).toBe(false);
      expect(outbox.nack(c!.seq)).toBe(false);
      expect(names(outbox)).toEqual(['b', 'c']);

      expect(outbox.ack(a!.seq)).toBe(true);
      expect(outbox.ack(a!.seq)).toBe(false);
      expect(outbox.markInFlight(a!.seq)).toBe(false);
      expect(outbox.size()).toBe(2);

      expect(outbox.markInFlight(b!.seq)).toBe(true);
      const resent = outbox.peek(10);
      expect(resent.map((entry) => entry.seq)).toEqual([c!.seq]);
      expect(outbox.nack(b!.seq)).toBe(true);
      const again = outbox.peek(1)[0]!;
      expect(again).toMatchObject({ seq: b!.seq, messageId: b!.messageId, attempts: 2, state: 'pending' });
      expect(outbox.stats()).toMatchObject({ pending: 2, inFlight: 0, acked: 1, enqueued: 3 });
    });

    it('recoverInFlight puts every in-flight entry back to pending, in order, with its message id', () => {
      const outbox = open();
      const entries = ['a', 'b', 'c', 'd'].map((payload) => outbox.enqueue(message('job_status', payload)));
      outbox.markInFlight(entries[0]!.seq);
      outbox.markInFlight(entries[2]!.seq);
      expect(outbox.recoverInFlight()).toBe(2);
      expect(outbox.recoverInFlight()).toBe(0);
      const peeked = outbox.peek(10);
      expect(peeked.map((entry) => [entry.seq, entry.messageId, entry.state])).toEqual(entries.map((entry) => [entry.seq, entry.messageId, 'pending']));
      expect(peeked.map((entry) => entry.attempts)).toEqual([1, 0, 1, 0]);
    });

    it('counts messages and bytes, pending and in flight together', () => {
      const outbox = open();
      expect(outbox.size()).toBe(0);
      expect(outbox.bytes()).toBe(0);
      const a = outbox.enqueue(message('event', 'x'.repeat(100)));
      const b = outbox.enqueue(message('info', 'y'.repeat(50)));
      outbox.markInFlight(a.seq);
      expect(outbox.size()).toBe(2);
      expect(outbox.bytes()).toBe(a.bytes + b.bytes);
      expect(outbox.stats()).toMatchObject({ pending: 1, inFlight: 1, bytes: a.bytes + b.bytes, enqueued: 2, acked: 0, expired: 0, refused: 0 });
      outbox.ack(a.seq);
      expect(outbox.bytes()).toBe(b.bytes);
    });

    it('when full, evicts the lowest class first and the oldest first within a class', () => {
      const outbox = open({ maxMessages: 6 });
      outbox.enqueue(message('event', 'event-1'));
      outbox.enqueue(message('health', 'health-1'));
      outbox.enqueue(message('metrics', 'metrics-1'));
      outbox.enqueue(message('info', 'info-1'));
      outbox.enqueue(message('metrics', 'metrics-2'));
      outbox.enqueue(message('health', 'health-2'));
      outbox.enqueue(message('exam_summary', 'exam-1'));
      expect(names(outbox)).toEqual(['event-1', 'health-1', 'info-1', 'metrics-2', 'health-2', 'exam-1']);
      outbox.enqueue(message('job_status', 'job-1'));
      outbox.enqueue(message('event', 'event-2'));
      expect(names(outbox)).toEqual(['event-1', 'health-1', 'info-1', 'health-2', 'exam-1', 'job-1', 'event-2'].filter((n) => n !== 'health-1'));
      outbox.enqueue(message('exam_summary', 'exam-2'));
      outbox.enqueue(message('exam_summary', 'exam-3'));
      expect(names(outbox)).toEqual(['event-1', 'exam-1', 'job-1', 'event-2', 'exam-2', 'exam-3']);
      expect(outbox.stats().evictedByClass).toEqual({ metrics: 2, health: 2, info: 1, event: 0, job_status: 0, exam_summary: 0 });
      expect(outbox.size()).toBe(6);
    });

    it('never evicts its own class or a higher one: refuses with MYO_ERR_OUTBOX_FULL and changes nothing', () => {
      const outbox = open({ maxMessages: 3 });
      outbox.enqueue(message('metrics', 'metrics-1'));
      outbox.enqueue(message('exam_summary', 'exam-1'));
      outbox.enqueue(message('exam_summary', 'exam-2'));
      expect(() => outbox.enqueue(message('metrics', 'metrics-2'))).toThrow(expect.objectContaining({ code: 'MYO_ERR_OUTBOX_FULL' }));
      outbox.enqueue(message('event', 'event-1'));
      expect(() => outbox.enqueue(message('event', 'event-2'))).toThrow(expect.objectContaining({ code: 'MYO_ERR_OUTBOX_FULL' }));
      expect(() => outbox.enqueue(message('health', 'health-1'))).toThrow(expect.objectContaining({ code: 'MYO_ERR_OUTBOX_FULL', details: expect.objectContaining({ class: 'health' }) as unknown }));
      outbox.enqueue(message('exam_summary', 'exam-3'));
      expect(() => outbox.enqueue(message('exam_summary', 'exam-4'))).toThrow(expect.objectContaining({ code: 'MYO_ERR_OUTBOX_FULL' }));
      expect(names(outbox)).toEqual(['exam-1', 'exam-2', 'exam-3']);
      expect(outbox.stats()).toMatchObject({ refused: 4, enqueued: 5, evictedByClass: { metrics: 1, health: 0, info: 0, event: 1, job_status: 0, exam_summary: 0 } });
    });

    it('evicts by bytes as well as by count, only as much as it needs', () => {
      const topic = 't';
      const outbox = open({ maxBytes: 1000 });
      const small = (messageClass: OutboxClass, name: string, size: number): OutboxMessage => ({ topic, payload: name.padEnd(size - 1, '.'), qos: 1, retain: false, class: messageClass });
      outbox.enqueue(small('metrics', 'm1', 300));
      outbox.enqueue(small('metrics', 'm2', 300));
      outbox.enqueue(small('health', 'h1', 300));
      expect(outbox.bytes()).toBe(900);
      outbox.enqueue(small('event', 'e1', 400));
      expect(outbox.peek(10).map((entry) => entry.payload.subarray(0, 2).toString())).toEqual(['m2', 'h1', 'e1']);
      expect(outbox.bytes()).toBe(1000);
      outbox.enqueue(small('event', 'e2', 550));
      expect(outbox.peek(10).map((entry) => entry.payload.subarray(0, 2).toString())).toEqual(['e1', 'e2']);
      expect(outbox.bytes()).toBe(950);
      expect(() => outbox.enqueue(small('exam_summary', 'x', 1001))).toThrow(expect.objectContaining({ code: 'MYO_ERR_OUTBOX_FULL' }));
      expect(outbox.bytes()).toBe(950);
    });

    it('does not evict entries in flight (they are on the wire); they still count against the limits', () => {
      const outbox = open({ maxMessages: 2 });
      const metrics = outbox.enqueue(message('metrics', 'metrics-1'));
      outbox.enqueue(message('metrics', 'metrics-2'));
      outbox.markInFlight(metrics.seq);
      outbox.enqueue(message('event', 'event-1'));
      expect(() => outbox.enqueue(message('event', 'event-2'))).toThrow(expect.objectContaining({ code: 'MYO_ERR_OUTBOX_FULL' }));
      expect(outbox.recoverInFlight()).toBe(1);
      expect(names(outbox)).toEqual(['metrics-1', 'event-1']);
    });

    it('drops expired entries on peek and counts them, and drops them before evicting anything live', () => {
      const clock = new ManualClock(0, Date.UTC(2026, 2, 1));
      const start = clock.wallNow();
      const outbox = open({ clock, maxMessages: 4 });
      outbox.enqueue(message('health', 'health-1', { expiresAt: start + 1000 }));
      outbox.enqueue(message('metrics', 'metrics-1'));
      const inFlight = outbox.enqueue(message('health', 'health-2', { expiresAt: start + 1000 }));
      outbox.enqueue(message('event', 'event-1', { expiresAt: start + 5000 }));
      outbox.markInFlight(inFlight.seq);
      clock.advance(1000);
      // Full: the expired health entry goes before the live metrics entry would have to.
      outbox.enqueue(message('info', 'info-1'));
      expect(names(outbox)).toEqual(['metrics-1', 'event-1', 'info-1']);
      expect(outbox.stats()).toMatchObject({ expired: 1, evictedByClass: { metrics: 0, health: 0 } });
      clock.advance(4000);
      expect(names(outbox)).toEqual(['metrics-1', 'info-1']);
      // The in-flight one is left to its ack or nack; it expires on the next peek once it is pending again.
      expect(outbox.stats()).toMatchObject({ expired: 2, inFlight: 1, pending: 2 });
      outbox.nack(inFlight.seq);
      expect(names(outbox)).toEqual(['metrics-1', 'info-1']);
      expect(outbox.stats()).toMatchObject({ expired: 3, inFlight: 0, pending: 2 });
      expect(outbox.size()).toBe(2);
    });

    it('enqueueMany queues all or, if one is refused, none', () => {
      const outbox = open({ maxMessages: 3 });
      outbox.enqueue(message('metrics', 'metrics-1'));
      const batch = outbox.enqueueMany([message('event', 'e1'), message('event', 'e2')]);
      expect(batch.map((entry) => entry.payload.toString())).toEqual(['e1', 'e2']);
      expect(batch[1]!.seq).toBeGreaterThan(batch[0]!.seq);
      // x1 fits by evicting metrics-1; the metrics message after it then has nothing lower to evict.
      expect(() => outbox.enqueueMany([message('exam_summary', 'x1'), message('metrics', 'metrics-2')])).toThrow(
        expect.objectContaining({ code: 'MYO_ERR_OUTBOX_FULL' }),
      );
      expect(names(outbox)).toEqual(['metrics-1', 'e1', 'e2']);
      expect(outbox.stats()).toMatchObject({ enqueued: 3, refused: 1, evictedByClass: { metrics: 0 } });
      expect(() => outbox.enqueueMany([message('exam_summary', 'x1'), { ...message('event', 'bad'), qos: 2 as 1 }])).toThrow(
        expect.objectContaining({ code: 'MYO_ERR_OUTBOX_MESSAGE_INVALID' }),
      );
      expect(outbox.size()).toBe(3);
      expect(outbox.enqueueMany([])).toEqual([]);
    });

    it('refuses malformed messages with MYO_ERR_OUTBOX_MESSAGE_INVALID', () => {
      const outbox = open();
      const bad: unknown[] = [
        { ...message('event', 'x'), topic: '' },
        { ...message('event', 'x'), topic: 'myoscreen/+/status' },
        { ...message('event', 'x'), topic: 'myoscreen/#' },
        { ...message('event', 'x'), qos: 2 },
        { ...message('event', 'x'), retain: 'yes' },
        { ...message('event', 'x'), class: 'urgent' },
        { ...message('event', 'x'), payload: 42 },
        { ...message('event', 'x'), expiresAt: Number.NaN },
      ];
      for (const value of bad) {
        expect(() => outbox.enqueue(value as OutboxMessage), JSON.stringify(value)).toThrow(expect.objectContaining({ code: 'MYO_ERR_OUTBOX_MESSAGE_INVALID' }));
      }
      expect(outbox.size()).toBe(0);
    });

    it('is not changed through the buffers it was given or handed out', () => {
      const outbox = open();
      const payload = Buffer.from('original');
      const entry = outbox.enqueue(message('event', 'ignored', { payload }));
      payload.fill(0);
      entry.payload.fill(0);
      outbox.peek(1)[0]!.payload.fill(0);
      expect(outbox.peek(1)[0]!.payload.toString()).toBe('original');
    });

    it('refuses bad limits with MYO_ERR_CONFIG_INVALID and use after close with MYO_ERR_LIFECYCLE', () => {
      expect(() => open({ maxMessages: 0 })).toThrow(expect.objectContaining({ code: 'MYO_ERR_CONFIG_INVALID' }));
      expect(() => open({ maxBytes: 1.5 })).toThrow(expect.objectContaining({ code: 'MYO_ERR_CONFIG_INVALID' }));
      const outbox = open();
      outbox.close();
      outbox.close();
      expect(() => outbox.enqueue(message('event', 'x'))).toThrow(expect.objectContaining({ code: 'MYO_ERR_LIFECYCLE' }));
      expect(() => outbox.peek(1)).toThrow(expect.objectContaining({ code: 'MYO_ERR_LIFECYCLE' }));
    });
  });
}
