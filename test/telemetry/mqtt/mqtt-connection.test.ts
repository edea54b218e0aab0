import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttConnection, statusTopic } from '../../../src/telemetry/mqtt/mqtt-connection.js';
import { startMosquitto, tcpRelay, type Mosquitto } from '../../helpers/mosquitto.js';
import { silentLogger } from '../../helpers/silent-logger.js';

let broker: Mosquitto | null = null;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await broker?.close();
  broker = null;
});

/** A fleet-side observer subscribed to the cart's subtree, keeping every message in arrival order. */
async function observe(url: string, deviceId: string): Promise<{ messages: { topic: string; text: string; retain: boolean }[]; client: MqttClient }> {
  const client = mqtt.connect(url, { clientId: `observer-${deviceId}`, protocolVersion: 5, reconnectPeriod: 200 });
  const messages: { topic: string; text: string; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, text: payload.toString(), retain: packet.retain }));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => client.subscribe(`myoscreen/v1/${deviceId}/#`, { qos: 1 }, (error) => (error ? reject(error) : resolve())));
  });
  cleanup.push(() => new Promise((resolve) => client.end(true, {}, () => resolve())));
  return { messages, client };
}

function connection(url: string, deviceId: string, extra: Partial<ConstructorParameters<typeof MqttConnection>[0]> = {}): MqttConnection {
  const c = new MqttConnection({
    url,
    deviceId,
    session: 7,
    protocol: 'auto',
    willDelaySec: 0,
    keepaliveSec: 5,
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    logger: silentLogger(),
    ...extra,
  });
  cleanup.push(() => c.stop());
  return c;
}

describe('MqttConnection against a real mosquitto', () => {
  it('publishes info (retained) before online, says stopped on a clean stop, and the will stays unsent', async () => {
    broker = await startMosquitto();
    const { messages } = await observe(broker.url, 'cart-1');
    const c = connection(broker.url, 'cart-1', {
      onConnected: async (conn) => {
        await conn.publish('myoscreen/v1/cart-1/info', JSON.stringify({ version: 'test' }), { qos: 1, retain: true });
        await conn.publish(statusTopic('cart-1'), JSON.stringify({ state: 'online', session: 7 }), { qos: 1, retain: true });
      },
    });
    await c.start();
    await expect.poll(() => messages.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(messages.map((m) => m.topic)).toEqual(['myoscreen/v1/cart-1/info', 'myoscreen/v1/cart-1/status']);
    expect(c.protocolVersion).toBe(5);
    await c.stop();
    await expect.poll(() => messages.at(-1)?.text, { timeout: 5000 }).toContain('"stopped"');
    await new Promise((r) => setTimeout(r, 300));
    expect(messages.some((m) => m.text.includes('offline'))).toBe(false);
  }, 30_000);

  it('has its last will (offline, retained, with the session) published when the socket dies', async () => {
    broker = await startMosquitto();
    const { messages } = await observe(broker.url, 'cart-2');
    const relay = await tcpRelay(broker.port);
    cleanup.push(() => relay.close());
    // Reconnects go nowhere for a while, so the will is not overtaken by a fresh online.
    const c = connection(relay.url, 'cart-2', { reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    await c.start();
    await expect.poll(() => c.connected, { timeout: 5000 }).toBe(true);
    // The TCP connection dies under the client, as with a power cut or a pulled cable: no DISCONNECT is sent.
    relay.cut();
    await expect.poll(() => messages.find((m) => m.text.includes('offline'))?.text, { timeout: 10_000 }).toContain('"session":7');
  }, 30_000);

  it('does not flap offline on a quick reconnect within the will delay, and says offline when the cart stays away', async () => {
    broker = await startMosquitto();
    const { messages } = await observe(broker.url, 'cart-4');
    const relay = await tcpRelay(broker.port);
    cleanup.push(() => relay.close());
    const c = connection(relay.url, 'cart-4', { willDelaySec: 3, reconnect: { initialDelayMs: 100, maxDelayMs: 200 } });
    await c.start();
    await expect.poll(() => c.connected, { timeout: 5000 }).toBe(true);
    relay.cut();
    // Back within ~0.2 s: the session resumes before the 3 s will delay, so the broker drops the will.
    await expect.poll(() => c.connects, { timeout: 5000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 4000));
    expect(messages.some((m) => m.text.includes('offline'))).toBe(false);
    // Now the cart stays away: the will goes out once the delay has passed.
    await c.stop();
    const away = connection(relay.url, 'cart-4', { willDelaySec: 1, reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    await away.start();
    await expect.poll(() => away.connected, { timeout: 5000 }).toBe(true);
    const cutAt = Date.now();
    relay.cut();
    await expect.poll(() => messages.some((m) => m.text.includes('offline')), { timeout: 10_000 }).toBe(true);
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(900);
  }, 40_000);

  it('reconnects by itself after the broker restarts', async () => {
    broker = await startMosquitto();
    const c = connection(broker.url, 'cart-3');
    await c.start();
    await expect.poll(() => c.connected, { timeout: 5000 }).toBe(true);
    await broker.stop();
    await expect.poll(() => c.connected, { timeout: 5000 }).toBe(false);
    await broker.start();
    await expect.poll(() => c.connected, { timeout: 10_000 }).toBe(true);
    expect(c.connects).toBe(2);
  }, 30_000);
});
