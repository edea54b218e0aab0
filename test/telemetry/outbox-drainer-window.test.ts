import type { IClientPublishOptions } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../../src/telemetry/outbox/memory-outbox.js';
import { OutboxDrainer, type PublishLink } from '../../src/telemetry/outbox-drainer.js';
import { silentLogger } from '../helpers/silent-logger.js';

/** A link whose acknowledgements the test hands out one by one. */
class ManualLink implements PublishLink {
  connected = true;
  readonly protocolVersion = 5 as const;
  readonly sent: { topic: string; settle: (ok: boolean) => void }[] = [];
  publish(topic: string, _payload: string | Buffer, _options: IClientPublishOptions): Promise<void> {
    return new Promise((resolve, reject) => this.sent.push({ topic, settle: (ok) => (ok ? resolve() : reject(new Error('lost'))) }));
  }
}

const message = (topic: string) => ({ topic, payload: Buffer.from('{}'), qos: 1 as const, retain: false, class: 'event' as const, expiresAt: null });

describe('OutboxDrainer window', () => {
  it('keeps sending while one acknowledgement is missing, up to the window, and each ack makes room for one more', async () => {
    const outbox = new MemoryOutbox();
    const link = new ManualLink();
    const drainer = new OutboxDrainer({ outbox, link, logger: silentLogger(), window: 3 });
    await drainer.start();
    for (const t of ['a', 'b', 'c', 'd', 'e']) drainer.enqueue(message(t));
    await expect.poll(() => link.sent.map((s) => s.topic)).toEqual(['a', 'b', 'c']);
    // 'a' never gets its PUBACK; 'b' does: 'd' goes out without waiting for 'a'.
    link.sent[1]?.settle(true);
    await expect.poll(() => link.sent.map((s) => s.topic)).toEqual(['a', 'b', 'c', 'd']);
    link.sent[2]?.settle(true);
    await expect.poll(() => link.sent.map((s) => s.topic)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(drainer.stats()).toMatchObject({ sent: 2, pending: 3 });
  });

  it('on a failure puts everything still in flight back, in order, and resends it on the next connection', async () => {
    const outbox = new MemoryOutbox();
    const link = new ManualLink();
    const drainer = new OutboxDrainer({ outbox, link, logger: silentLogger(), window: 4 });
    await drainer.start();
    for (const t of ['a', 'b', 'c']) drainer.enqueue(message(t));
    await expect.poll(() => link.sent.length).toBe(3);
    link.connected = false;
    link.sent[0]?.settle(false);
    link.sent[1]?.settle(true); // taken by the broker after the failure: sent again, same id, dropped as a duplicate
    link.sent[2]?.settle(false);
    await expect.poll(() => drainer.stats().failures).toBe(1);
    await expect.poll(() => outbox.peek(10).map((e) => e.topic)).toEqual(['a', 'b', 'c']);
    link.connected = true;
    drainer.kick();
    await expect.poll(() => link.sent.slice(3).map((s) => s.topic)).toEqual(['a', 'b', 'c']);
    for (const s of link.sent.slice(3)) s.settle(true);
    await expect.poll(() => drainer.stats()).toMatchObject({ sent: 3, pending: 0 });
    await drainer.stop();
  });

  it('when the link is lost, entries that never heard back go back to pending at once and late answers are ignored', async () => {
    const outbox = new MemoryOutbox();
    const link = new ManualLink();
    const drainer = new OutboxDrainer({ outbox, link, logger: silentLogger(), window: 4 });
    await drainer.start();
    for (const t of ['a', 'b']) drainer.enqueue(message(t));
    await expect.poll(() => link.sent.length).toBe(2);
    link.connected = false;
    drainer.linkLost();
    await expect.poll(() => outbox.peek(10).map((e) => e.topic)).toEqual(['a', 'b']);
    link.sent[0]?.settle(true); // a late PUBACK from the dead connection: ignored, 'a' is resent with its id
    link.connected = true;
    drainer.kick();
    await expect.poll(() => link.sent.slice(2).map((s) => s.topic)).toEqual(['a', 'b']);
    for (const s of link.sent.slice(2)) s.settle(true);
    await expect.poll(() => drainer.stats()).toMatchObject({ sent: 2, pending: 0 });
    await drainer.stop();
  });

  it('stops at once even while acknowledgements are outstanding, leaving them in flight for the next start', async () => {
    const outbox = new MemoryOutbox();
    const link = new ManualLink();
    const drainer = new OutboxDrainer({ outbox, link, logger: silentLogger() });
    await drainer.start();
    drainer.enqueue(message('a'));
    await expect.poll(() => link.sent.length).toBe(1);
    await drainer.stop();
    expect(outbox.recoverInFlight()).toBe(1);
  });
});
