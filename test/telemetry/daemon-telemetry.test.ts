import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { PhantomFrameSource } from '../../src/capture/phantom-source.js';
import type { ScriptSegment } from '../../src/capture/phantom/script-types.js';
import { deepFreeze } from '../../src/core/config/load.js';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import { createDaemon, type Daemon } from '../../src/daemon.js';
import { FakeEngine } from '../../src/infer/engine/fake-engine.js';
import { MemoryExamStore } from '../../src/records/memory-exam-store.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { oneExamScript } from '../helpers/one-exam-script.js';
import { silentLogger } from '../helpers/silent-logger.js';

let broker: Mosquitto | null = null;
let daemon: Daemon | null = null;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await daemon?.stop();
  daemon = null;
  await broker?.close();
  broker = null;
});

const oneExam = (): ScriptSegment[] => oneExamScript(30);

async function fleetClient(url: string, filter = 'myoscreen/v1/cart-t/#'): Promise<{ client: MqttClient; messages: { topic: string; body: Record<string, unknown>; retain: boolean }[] }> {
  const client = mqtt.connect(url, { clientId: `fleet-${Math.random().toString(36).slice(2)}`, protocolVersion: 5 });
  const messages: { topic: string; body: Record<string, unknown>; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) => {
    try {
      messages.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain });
    } catch {
      messages.push({ topic, body: { raw: payload.toString() }, retain: packet.retain });
    }
  });
  await new Promise<void>((resolve) => client.once('connect', () => client.subscribe(filter, { qos: 1 }, () => resolve())));
  cleanup.push(() => new Promise((resolve) => client.end(true, {}, () => resolve())));
  return { client, messages };
}

function config(url: string): Config {
  return deepFreeze(
    Value.Default(ConfigSchema, {
      device: { id: 'cart-t' },
      state: { dir: mkdtempSync(join(tmpdir(), 'myo-tele-')) },
      api: { port: 0 },
      mqtt: { url, willDelaySec: 0, metricsIntervalMs: 1000 },
      capture: { phantom: { width: 640, height: 360 } },
    }) as Config,
  );
}

describe('the daemon over MQTT (real mosquitto)', () => {
  it('publishes info before online, health, metrics, and one exam summary per exam with its message id', async () => {
    broker = await startMosquitto();
    const { messages } = await fleetClient(broker.url);
    daemon = createDaemon({
      config: config(broker.url),
      logger: silentLogger(),
      createEngine: () => new FakeEngine({ score: () => 0.6 }),
      examStore: new MemoryExamStore(),
      createSource: (capture, deps) => new PhantomFrameSource({ config: capture, ...deps, script: oneExam() }),
    });
    await daemon.start(new AbortController().signal);
    await expect.poll(() => messages.some((m) => m.topic.endsWith('/exam/summary')), { timeout: 30_000 }).toBe(true);
    const topics = messages.map((m) => m.topic.replace('myoscreen/v1/cart-t/', ''));
    expect(topics.indexOf('info')).toBeGreaterThanOrEqual(0);
    expect(topics.indexOf('info')).toBeLessThan(topics.indexOf('status'));
    expect(messages.find((m) => m.topic.endsWith('/status'))?.body.state).toBe('online');
    expect(topics).toContain('health');
    expect(topics).toContain('metrics');
    const summary = messages.find((m) => m.topic.endsWith('/exam/summary'))?.body ?? {};
    expect(summary).toMatchObject({ v: 1, deviceId: 'cart-t', decision: 'refer', startedBy: 'auto' });
    expect(String(summary.messageId)).toMatch(/^[0-9A-Z]{26}$/);
    expect(JSON.stringify(summary)).not.toMatch(/patient/i);
  }, 60_000);

  it('answers commands, and 10,000 malformed or hostile payloads get coded errors while the daemon stays up', async () => {
    broker = await startMosquitto();
    // Only the responses: the fleet's own 10,000 requests must not fill its queue at the broker.
    const { client, messages } = await fleetClient(broker.url, 'myoscreen/v1/cart-t/cmd/res/#');
    daemon = createDaemon({
      config: config(broker.url),
      logger: silentLogger(),
      createEngine: () => new FakeEngine({ score: () => 0.6 }),
      examStore: new MemoryExamStore(),
    });
    await daemon.start(new AbortController().signal);
    await expect.poll(() => daemon?.telemetry.stats().connected, { timeout: 10_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    client.publish('myoscreen/v1/cart-t/cmd/req/health_check', JSON.stringify({ id: 'c-1' }), { qos: 1 });
    await expect.poll(() => messages.find((m) => m.topic.endsWith('/cmd/res/health_check'))?.body, { timeout: 10_000 }).toMatchObject({ id: 'c-1', ok: true });

    const rssBefore = process.memoryUsage().rss;
    const hostile = (i: number): string | Buffer => {
      switch (i % 8) {
        case 0: return '{not json';
        case 1: return JSON.stringify({ id: `h-${i}`, args: { level: 'loud' } });
        case 2: return Buffer.from([0xff, 0xfe, 0x00, i & 0xff]);
        case 3: return `{"id":"h-${i}","__proto__":{"polluted":true}}`;
        case 4: return '['.repeat(5000);
        case 5: return JSON.stringify({ id: `h-${i}`, args: { path: '../../etc' } });
        case 6: return 'x'.repeat(70 * 1024);
        default: return JSON.stringify({ id: `h-${i}`, args: 'not an object' });
      }
    };
    const names = ['log_level/set', 'config/get', 'nope', 'health_check', 'selftest', 'republish', 'restart/../x', 'display/test'];
    for (let i = 0; i < 10_000; i += 1) {
      client.publish(`myoscreen/v1/cart-t/cmd/req/${names[i % names.length] ?? 'nope'}`, hostile(i), { qos: 1 });
      if (i % 200 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    // Every request is read and judged: the first health_check plus the 10,000.
    await expect.poll(() => (daemon?.telemetry.stats().commandsRefused ?? 0) + (daemon?.telemetry.stats().commandsHandled ?? 0), { timeout: 60_000 }).toBe(10_001);
    const errors = messages.filter((m) => m.topic.includes('/cmd/res/') && m.body.ok === false);
    expect(errors.length).toBeGreaterThan(100);
    for (const e of errors.slice(0, 50)) expect(String((e.body.error as { code?: unknown } | undefined)?.code)).toMatch(/^MYO_ERR_/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still up and answering.
    client.publish('myoscreen/v1/cart-t/cmd/req/health_check', JSON.stringify({ id: 'c-2' }), { qos: 1 });
    await expect.poll(() => messages.find((m) => m.body.id === 'c-2')?.body.ok, { timeout: 10_000 }).toBe(true);
    const ready = await daemon.app.inject({ method: 'GET', url: '/livez' });
    expect(ready.statusCode).toBe(200);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024);
  }, 150_000);
});
