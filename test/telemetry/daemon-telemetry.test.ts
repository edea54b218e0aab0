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
import { examSummaryFromRecord } from '../../src/telemetry/contract/index.js';
import { sampleRecord } from '../records/sample-records.js';
import { MemoryDisplay } from '../../src/device/display/memory-display.js';
import { MemoryExamStore } from '../../src/records/memory-exam-store.js';
import { freePort, startMosquitto, tcpRelay, type Mosquitto } from '../helpers/mosquitto.js';
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
      // Paced by the daemon's own progress: the broker queues at most 1000 messages for one client (mosquitto's
      // max_queued_messages) and drops the rest, which would test the broker, not the daemon.
      if (i % 250 === 0) await expect.poll(() => (daemon?.telemetry.stats().commandsRefused ?? 0) + (daemon?.telemetry.stats().commandsHandled ?? 0), { timeout: 30_000, interval: 20 }).toBeGreaterThan(i - 500);
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

  it('publishes model/state (retained) and carries out restart, selftest and display/test once per request id', async () => {
    broker = await startMosquitto();
    const { client, messages } = await fleetClient(broker.url);
    const display = { value: null as MemoryDisplay | null };
    daemon = createDaemon({
      config: config(broker.url),
      logger: silentLogger(),
      createEngine: () => new FakeEngine({ score: () => 0.2 }),
      examStore: new MemoryExamStore(),
      displayFor: (bus) => (display.value = new MemoryDisplay({ bus })),
    });
    const restarts: string[] = [];
    daemon.bus.on('restartRequested', (e) => restarts.push(e.reason));
    await daemon.start(new AbortController().signal);
    await expect.poll(() => messages.filter((m) => m.topic.endsWith('/model/state')).at(-1)?.body, { timeout: 15_000 }).toMatchObject({
      installed: { id: expect.any(String) as string, securityVersion: expect.any(Number) as number },
      candidate: null,
      phase: 'idle',
    });
    const request = (name: string, body: Record<string, unknown>): void => {
      client.publish(`myoscreen/v1/cart-t/cmd/req/${name}`, JSON.stringify(body), { qos: 1 });
    };
    const answers = (id: string): Record<string, unknown>[] => messages.filter((m) => m.topic.includes('/cmd/res/') && m.body.id === id).map((m) => m.body);

    request('restart', { id: 'r-1', args: { reason: 'fleet maintenance', delayMs: 100 } });
    request('restart', { id: 'r-1', args: { reason: 'fleet maintenance', delayMs: 100 } });
    await expect.poll(() => answers('r-1').length, { timeout: 10_000 }).toBe(2);
    expect(answers('r-1')[0]).toMatchObject({ ok: true, result: { accepted: true, waitingForExam: false } });
    expect(answers('r-1')[1]?.result).toEqual(answers('r-1')[0]?.result);
    await expect.poll(() => restarts, { timeout: 5000 }).toEqual(['fleet maintenance']);

    request('selftest', { id: 's-1', args: { checks: ['disk', 'clock', 'display'] } });
    await expect.poll(() => answers('s-1')[0], { timeout: 15_000 }).toMatchObject({ ok: true, result: { ok: true } });
    const checks = (answers('s-1')[0]?.result as { checks: { name: string; outcome: string }[] }).checks;
    expect(checks.map((c) => c.name)).toEqual(['display', 'disk', 'clock']);

    const before = display.value?.states.length ?? 0;
    request('display/test', { id: 'd-1', args: { durationMs: 1200 } });
    await expect.poll(() => answers('d-1')[0], { timeout: 15_000 }).toMatchObject({ ok: true, result: { pages: 12, interrupted: false } });
    const pages = (display.value?.states ?? []).slice(before).map((st) => st.page);
    expect(pages).toEqual(expect.arrayContaining(['boot', 'scanning', 'result', 'fault', 'update']));

    request('health_check', { id: 'late', expiresAt: new Date(Date.now() - 1000).toISOString() });
    await expect.poll(() => answers('late')[0], { timeout: 10_000 }).toMatchObject({ ok: false, error: { code: 'MYO_ERR_COMMAND_EXPIRED' } });
    request('model/rollback', { id: 'm-1' });
    await expect.poll(() => answers('m-1')[0], { timeout: 10_000 }).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^MYO_ERR_/) as string } });
    expect(daemon.telemetry.stats().commandsRepeated).toBe(1);
  }, 90_000);

  it('when the outbox is full, metrics go first, then events, and exam summaries survive to be delivered in order', async () => {
    // The fleet listens from the start; the daemon's way to the broker (a relay on `port`) opens only later.
    broker = await startMosquitto();
    const { messages } = await fleetClient(broker.url);
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    const base = config(url);
    daemon = createDaemon({
      config: deepFreeze({ ...base, mqtt: { ...base.mqtt, metricsIntervalMs: 600_000, outbox: { maxMessages: 100, maxBytes: 1024 * 1024 }, reconnect: { initialDelayMs: 200, maxDelayMs: 500 } } }),
      logger: silentLogger(),
      createEngine: () => new FakeEngine({ score: () => 0.2 }),
      examStore: new MemoryExamStore(),
      createSource: (capture, deps) => new PhantomFrameSource({ config: capture, ...deps, script: [] }),
    });
    await daemon.start(new AbortController().signal);
    const t = daemon.telemetry;
    const body = { intervalS: 10, fps: 30, framesDropped: 0, inferenceStride: 1, latencyMs: null, eventLoopLagMs: 1 };
    // The broker is not there: everything waits in the outbox (health and model/state from the start are in it too).
    const already = t.stats().pending;
    for (let i = 0; i < 40; i += 1) t.publishDurable('metrics', {}, body);
    for (let i = 0; i < 100 - already - 40; i += 1) t.publishDurable('event', { type: 'signal_lost' }, { type: 'signal_lost', at: new Date().toISOString(), reason: `e${i}` });
    expect(t.stats().pending).toBe(100);
    const summary = (n: number) => examSummaryFromRecord(sampleRecord(n));
    const sentIds: string[] = [];
    for (let i = 0; i < 70; i += 1) {
      const body = summary(i);
      sentIds.push(body.examId);
      t.publishDurable('examSummary', {}, body);
    }
    expect(t.stats().pending).toBe(100);

    const relay = await tcpRelay(broker.port, port);
    cleanup.push(() => relay.close());
    await expect.poll(() => messages.filter((m) => m.topic.endsWith('/exam/summary')).length, { timeout: 30_000 }).toBe(70);
    const delivered = messages.map((m) => m.topic.replace('myoscreen/v1/cart-t/', '').replace(/^evt\/.*/, 'evt'));
    expect(delivered.filter((x) => x === 'metrics')).toEqual([]);
    // Evicted for the 70 summaries: the 40 metrics, then the queued health and model/state (both are published
    // afresh on every connection), then the oldest events; 30 events remain.
    expect(delivered.filter((x) => x === 'evt').length).toBe(100 - 70);
    const events = messages.filter((m) => m.topic.includes('/evt/')).map((m) => String(m.body.reason));
    expect(events).toEqual(Array.from({ length: 30 }, (_, i) => `e${i + 100 - already - 40 - 30}`));
    const ids = messages.filter((m) => m.topic.endsWith('/exam/summary')).map((m) => String(m.body.examId));
    expect(ids).toEqual(sentIds);
  }, 90_000);
});
