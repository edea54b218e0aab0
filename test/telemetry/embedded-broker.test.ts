import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBroker } from '../../src/telemetry/embedded-broker.js';
import { MqttConnection } from '../../src/telemetry/mqtt/mqtt-connection.js';
import { silentLogger } from '../helpers/silent-logger.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

describe('the embedded broker', () => {
  it('listens on loopback and carries the daemon connection (MQTT 5 refused: 3.1.1 fallback) to a subscriber, retained messages included', async () => {
    const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    await broker.start();
    cleanup.push(() => broker.stop());
    expect(broker.address?.host).toBe('127.0.0.1');
    const connection = new MqttConnection({
      url: broker.url,
      deviceId: 'cart-e',
      session: 1,
      protocol: 'auto',
      willDelaySec: 5,
      keepaliveSec: 5,
      reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
      logger: silentLogger(),
      onConnected: async (c) => c.publish('myoscreen/v1/cart-e/info', '{"version":"t"}', { qos: 1, retain: true }),
    });
    await connection.start();
    cleanup.push(() => connection.stop());
    await expect.poll(() => connection.connected, { timeout: 5000 }).toBe(true);
    // aedes refuses an MQTT 5 CONNECT: `auto` tried 5 first and fell back to 3.1.1 by itself.
    expect(connection.protocolVersion).toBe(4);
    // A subscriber that comes later still gets the retained info.
    await new Promise((r) => setTimeout(r, 200));
    const sub = mqtt.connect(broker.url, { protocolVersion: 4, clientId: 'sub-e' });
    cleanup.push(() => new Promise((resolve) => sub.end(true, {}, () => resolve())));
    const got = await new Promise<string>((resolve) => {
      sub.on('message', (_t, payload) => resolve(payload.toString()));
      sub.on('connect', () => sub.subscribe('myoscreen/v1/cart-e/#'));
    });
    expect(got).toBe('{"version":"t"}');
  }, 20_000);
});
