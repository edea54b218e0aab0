import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttConnection } from '../../src/telemetry/mqtt/mqtt-connection.js';
import { MemoryOutbox } from '../../src/telemetry/outbox/memory-outbox.js';
import { OutboxDrainer, withMessageId } from '../../src/telemetry/outbox-drainer.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { silentLogger } from '../helpers/silent-logger.js';

let broker: Mosquitto | null = null;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await broker?.close();
  broker = null;
});

/** How long the broker stays down while exams finish (the figure). */
const BROKER_DOWN_MS = 60_000;

describe('OutboxDrainer', () => {
  it('holds three exam summaries through a 60 s broker outage and delivers them in order, each with its message id', async () => {
    broker = await startMosquitto({ persistence: true });
    const received: { id: string; messageId: string; user: unknown }[] = [];
    const fleet = mqtt.connect(broker.url, { clientId: 'fleet', protocolVersion: 5, clean: false, reconnectPeriod: 250, properties: { sessionExpiryInterval: 600 } });
    fleet.on('message', (_topic, payload, packet) => {
      const body = JSON.parse(payload.toString()) as { examId: string; messageId: string };
      received.push({ id: body.examId, messageId: body.messageId, user: packet.properties?.userProperties?.messageId });
    });
    await new Promise<void>((resolve) => fleet.once('connect', () => fleet.subscribe('myoscreen/v1/cart-o/exam/summary', { qos: 1 }, () => resolve())));
    cleanup.push(() => new Promise((resolve) => fleet.end(true, {}, () => resolve())));

    // The connection wakes the drainer on every (re)connection; the drainer is built on the connection.
    const wake = { drainer: null as OutboxDrainer | null };
    const connection = new MqttConnection({
      url: broker.url,
      deviceId: 'cart-o',
      session: 1,
      protocol: 'auto',
      willDelaySec: 0,
      keepaliveSec: 5,
      reconnect: { initialDelayMs: 200, maxDelayMs: 2000 },
      logger: silentLogger(),
      onConnected: async () => wake.drainer?.kick(),
      // As the daemon wires it: what was on the wire when the link died goes back to pending at once.
      onDisconnected: () => wake.drainer?.linkLost(),
    });
    const outbox = new MemoryOutbox();
    const drainer = new OutboxDrainer({ outbox, link: connection, logger: silentLogger() });
    wake.drainer = drainer;
    await drainer.start();
    await connection.start();
    cleanup.push(() => connection.stop());
    cleanup.push(() => drainer.stop());
    await expect.poll(() => connection.connected, { timeout: 5000 }).toBe(true);

    await broker.stop();
    const ids: string[] = [];
    for (const examId of ['ex_A', 'ex_B', 'ex_C']) {
      const entry = drainer.enqueue({ topic: 'myoscreen/v1/cart-o/exam/summary', payload: JSON.stringify({ examId }), qos: 1, retain: false, class: 'exam_summary' });
      ids.push(entry.messageId);
      await new Promise((r) => setTimeout(r, BROKER_DOWN_MS / 3));
    }
    expect(received).toHaveLength(0);
    expect(outbox.size()).toBe(3);
    await broker.start();
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(3);
    expect(received.map((r) => r.id)).toEqual(['ex_A', 'ex_B', 'ex_C']);
    expect(received.map((r) => r.messageId)).toEqual(ids);
    expect(received.map((r) => r.user)).toEqual(ids);
    await expect.poll(() => outbox.size(), { timeout: 5000 }).toBe(0);
  }, BROKER_DOWN_MS + 60_000);

  it('puts the message id into a JSON object payload and leaves anything else alone', () => {
    expect(JSON.parse(withMessageId(Buffer.from('{"a":1}'), 'm1').toString())).toEqual({ a: 1, messageId: 'm1' });
    expect(withMessageId(Buffer.from('[1]'), 'm1').toString()).toBe('[1]');
    expect(withMessageId(Buffer.from('{bad'), 'm1').toString()).toBe('{bad');
  });
});
