import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqliteOutbox } from '../../src/telemetry/outbox/sqlite-outbox.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { startMosquitto, tcpRelay, type Mosquitto } from '../helpers/mosquitto.js';

const cleanup: (() => Promise<unknown>)[] = [];
beforeAll(() => ensureBuilt(), 120_000);
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

interface Seen {
  topic: string;
  messageId: string;
  body: Record<string, unknown>;
}

function daemon(configFile: string): DaemonProcess {
  const d = startDaemonProcess(['--config', configFile], { MYOSCREEN_API_PORT: '0' });
  cleanup.push(() => {
    d.child.kill('SIGKILL');
    return Promise.resolve();
  });
  return d;
}

describe('a daemon killed between publish and acknowledgement (real mosquitto, real process)', () => {
  it('sends the unacknowledged exam summary again after the restart, with the same message id', async () => {
    const broker: Mosquitto = await startMosquitto();
    cleanup.push(() => broker.close());
    const relay = await tcpRelay(broker.port);
    cleanup.push(() => relay.close());

    const fleet = mqtt.connect(broker.url, { clientId: 'fleet-kill', protocolVersion: 5 });
    cleanup.push(() => new Promise<void>((resolve) => fleet.end(true, {}, () => resolve())));
    const seen: Seen[] = [];
    fleet.on('message', (topic, payload) => {
      try {
        const body = JSON.parse(payload.toString()) as Record<string, unknown>;
        seen.push({ topic: topic.replace('myoscreen/v1/cart-k/', ''), messageId: String(body.messageId), body });
      } catch {
        // not ours to judge here
      }
    });
    await new Promise<void>((resolve) => fleet.once('connect', () => fleet.subscribe('myoscreen/v1/cart-k/#', { qos: 1 }, () => resolve())));

    const stateDir = mkdtempSync(join(tmpdir(), 'myo-kill-'));
    const configFile = join(stateDir, 'config.json');
    const write = (url: string): void =>
      writeFileSync(
        configFile,
        JSON.stringify({
          device: { id: 'cart-k' },
          state: { dir: join(stateDir, 'state') },
          capture: { phantom: { width: 640, height: 360 } },
          mqtt: { url, willDelaySec: 0, metricsIntervalMs: 60_000 },
        }),
      );
    write(relay.url);

    const first = daemon(configFile);
    await expect.poll(() => seen.some((m) => m.topic === 'status' && m.body.state === 'online'), { timeout: 30_000 }).toBe(true);
    // From here the broker gets everything the daemon publishes, and the daemon hears nothing back: no PUBACK.
    relay.holdReplies();
    // The phantom's first scripted exam ends about 15 s in; its summary reaches the fleet but is never acknowledged.
    await expect.poll(() => seen.filter((m) => m.topic === 'exam/summary').length, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
    first.child.kill('SIGKILL');
    await first.exited;

    const firstCopy = seen.find((m) => m.topic === 'exam/summary');
    if (!firstCopy) throw new Error('no summary');
    // The outbox on disk still holds it, in flight, under the same id: a power cut would have left the same file.
    const outbox = SqliteOutbox.open(join(stateDir, 'state', 'outbox.sqlite'));
    const held = outbox.recoverInFlight();
    const pending = outbox.peek(1000).filter((e) => e.topic.endsWith('/exam/summary'));
    outbox.close();
    expect(held).toBeGreaterThan(0);
    expect(pending.map((e) => e.messageId)).toContain(firstCopy.messageId);

    // Restarted straight at the broker (the relay's held connection is gone with the killed process).
    write(broker.url);
    const before = seen.length;
    const second = daemon(configFile);
    await expect
      .poll(() => seen.slice(before).some((m) => m.topic === 'exam/summary' && m.messageId === firstCopy.messageId), { timeout: 30_000, interval: 100 })
      .toBe(true);
    const again = seen.slice(before).find((m) => m.topic === 'exam/summary' && m.messageId === firstCopy.messageId);
    // The same message, not a new one about the same exam: a consumer drops it by id.
    expect(again?.body.examId).toBe(firstCopy.body.examId);
    expect(again?.body.session).not.toBe(undefined);
    const ids = new Set(seen.filter((m) => m.topic === 'exam/summary' && m.body.examId === firstCopy.body.examId).map((m) => m.messageId));
    expect(ids.size).toBe(1);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 150_000);
});
