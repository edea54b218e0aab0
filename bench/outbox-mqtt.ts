import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { MqttConnection } from '../src/telemetry/mqtt/mqtt-connection.js';
import { SqliteOutbox } from '../src/telemetry/outbox/sqlite-outbox.js';
import { OutboxDrainer } from '../src/telemetry/outbox-drainer.js';
import type { BenchModule } from './types.js';

const PAYLOAD_BYTES = 300;
const TOPIC = 'myoscreen/v1/bench-cart/exam/summary';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => socket.end(() => resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The outbox drained end to end after an outage: 10,000 exam-summary-sized messages already on disk, then the daemon's
 * drainer and MQTT connection deliver them to a real mosquitto on loopback (QoS 1, each acked, each acknowledgement
 * a fsynced commit) while a subscriber receives them. Measures the time from connecting to the last PUBACK and the
 * last delivery. Needs Debian's mosquitto (scripts/install-test-deps.sh); without it the result says so.
 */
export const run: BenchModule = async ({ quick }) => {
  const count = quick ? 2000 : 10_000;
  const description = `outbox drained through OutboxDrainer + MqttConnection to mosquitto on loopback, ${count} x ${PAYLOAD_BYTES}-byte QoS 1 messages`;
  if (spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error) {
    return { name: 'outbox-mqtt', description, metrics: { not_run: 'mosquitto is not installed (scripts/install-test-deps.sh installs it)' } };
  }
  const root = mkdtempSync(join(tmpdir(), 'myo-bench-drain-'));
  const port = await freePort();
  const conf = join(root, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest none', 'max_queued_messages 0', `user ${userInfo().username}`, ''].join('\n'));
  const broker = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const quiet = pino({ level: 'silent' });
  const outbox = SqliteOutbox.open(join(root, 'outbox.sqlite'), { maxMessages: 1_000_000 });
  let connection: MqttConnection | null = null;
  let drainer: OutboxDrainer | null = null;
  const subscriber = { client: null as mqtt.MqttClient | null };
  try {
    await waitForPort(port, 5000);
    for (let start = 0; start < count; start += 100) {
      outbox.enqueueMany(
        Array.from({ length: Math.min(100, count - start) }, (_u, i) => ({
          topic: TOPIC,
          payload: JSON.stringify({ index: start + i }).padEnd(PAYLOAD_BYTES, ' '),
          qos: 1 as const,
          retain: false,
          class: 'exam_summary' as const,
        })),
      );
    }
    let received = 0;
    const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'bench-fleet', protocolVersion: 5 });
    subscriber.client = client;
    client.on('message', () => (received += 1));
    await new Promise<void>((resolve) => client.once('connect', () => client.subscribe(TOPIC, { qos: 1 }, () => resolve())));
    const wake = { drainer: null as OutboxDrainer | null };
    let connectedAt = 0;
    connection = new MqttConnection({
      url: `mqtt://127.0.0.1:${port}`,
      deviceId: 'bench-cart',
      session: 1,
      protocol: 5,
      willDelaySec: 0,
      keepaliveSec: 30,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      logger: quiet,
      onConnected: async () => {
        connectedAt = performance.now();
        wake.drainer?.kick();
      },
      onDisconnected: () => wake.drainer?.linkLost(),
    });
    drainer = new OutboxDrainer({ outbox, link: connection, logger: quiet });
    wake.drainer = drainer;
    await drainer.start();
    await connection.start();
    let ackedAt = 0;
    for (;;) {
      if (ackedAt === 0 && outbox.size() === 0) ackedAt = performance.now();
      if (ackedAt !== 0 && received >= count) break;
      if (connectedAt !== 0 && performance.now() - connectedAt > 300_000) throw new Error(`drain stalled: ${outbox.size()} left, ${received} received`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const deliveredAt = performance.now();
    return {
      name: 'outbox-mqtt',
      description,
      metrics: {
        messages: count,
        drain_to_last_puback_ms: ackedAt - connectedAt,
        drain_to_last_delivery_ms: deliveredAt - connectedAt,
        drain_messages_per_s: (count * 1000) / (ackedAt - connectedAt),
        window: 16,
      },
    };
  } finally {
    await drainer?.stop();
    await connection?.stop();
    await new Promise<void>((resolve) => (subscriber.client ? subscriber.client.end(true, {}, () => resolve()) : resolve()));
    outbox.close();
    broker.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
};
