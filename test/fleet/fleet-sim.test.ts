import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetListener } from '../../src/fleet/agent/fleet-listener.js';
import type { UpdateReporter } from '../../src/fleet/agent/update-agent.js';
import { MemoryReplayGuard } from '../../src/fleet/documents/replay-guard.js';
import { signJobDocument } from '../../src/fleet/documents/sign-documents.js';
import { readPublicKey, trustedKeys } from '../../src/infer/package/keys.js';
import { encodePayload } from '../../src/telemetry/contract/encode-payload.js';
import { topicFor } from '../../src/telemetry/contract/topic-path.js';
import { createMessageIdGenerator } from '../../src/telemetry/outbox/message-id.js';
import { topicMatches } from '../../src/telemetry/topic-filter.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { resign } from '../helpers/model-package.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { targetFromPackage } from '../../src/fleet/documents/sign-documents.js';
import { breakGolden, makeCart, PackageShelf, type Cart } from './agent/agent-harness.js';
import { BrokerWatcher, desiredBytes, operatorKey } from './fleet-test-kit.js';

/**
 * 20 carts (update agents in this process, each with its own state folder, FakeEngine and MQTT connection) against
 * a real mosquitto and the package server: the canary group first, then the rest; one cart is then sent a model that
 * fails validation on it, keeps serving its model and reports the failure; `myoscreen fleet status` shows the end.
 */
interface SimCart {
  readonly id: string;
  readonly group: string;
  readonly cart: Cart;
  readonly client: MqttClient;
  readonly listener: FleetListener;
}

const run = promisify(execFile);
let broker: Mosquitto;
const shelf = new PackageShelf();
const watcher = new BrokerWatcher();
const key = operatorKey();
const carts: SimCart[] = [];

async function startSimCart(index: number): Promise<SimCart> {
  const id = `cart-${String(index).padStart(2, '0')}`;
  const group = index < 4 ? 'canary' : 'main';
  const client = mqtt.connect(broker.url, { clientId: id, clean: true, reconnectPeriod: 200 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  const handlers: { filter: string; handler: (topic: string, payload: Buffer) => void }[] = [];
  client.on('message', (topic, payload) => {
    for (const h of handlers) if (topicMatches(h.filter, topic)) h.handler(topic, payload);
  });
  const newId = createMessageIdGenerator();
  const envelope = () => ({ v: 1 as const, messageId: newId(), sentAt: new Date().toISOString(), deviceId: id, session: 1 });
  const reporter: UpdateReporter = {
    jobStatus: (r) =>
      void client.publishAsync(
        topicFor(id, 'jobStatus', { jobId: r.jobId }),
        encodePayload('jobStatus', { jobId: r.jobId, state: r.state, progress: r.progress, ...(r.error ? { error: r.error } : {}) }, envelope()),
        { qos: 1 },
      ),
    rolledBack: () => undefined,
  };
  const cart = makeCart({ reporter });
  cart.bus.on('modelStateChanged', ({ at: _at, ...body }) => {
    void client.publishAsync(topicFor(id, 'modelState', {}), encodePayload('modelState', body, envelope()), { qos: 1, retain: true });
  });
  await cart.boot();
  const listener = new FleetListener({
    deviceId: id,
    group,
    subscriber: {
      subscribe: (filter, handler) => {
        handlers.push({ filter, handler });
        void client.subscribeAsync(filter, { qos: 1 });
        return () => undefined;
      },
    },
    trusted: trustedKeys([{ id: key.id, key: readPublicKey(key.publicKeyFile) }]),
    replay: new MemoryReplayGuard(),
    agent: cart.agent,
    reporter,
    logger: silentLogger(),
  });
  await listener.start();
  return { id, group, cart, client, listener };
}

const installed = (c: SimCart): string | null => c.cart.engine.active()?.version ?? null;

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  ensureBuilt();
  broker = await startMosquitto();
  await shelf.start();
  await watcher.start(broker.url, ['myoscreen/v1/+/jobs/+/status']);
  for (let i = 0; i < 20; i += 1) carts.push(await startSimCart(i));
}, 120_000);

afterAll(async () => {
  for (const c of carts) {
    await c.listener.stop();
    await c.cart.stop();
    await c.client.endAsync(true);
  }
  await watcher.stop();
  await shelf.stop();
  await broker.close();
});

describe('a fleet of 20 carts', () => {
  it('rolls out to the canary group first, then to all; a model failing validation on one cart is refused there', async () => {
    const good = await shelf.add('lsnet-1.1.0', (m) => {
      m.version = '1.1.0';
      m.securityVersion = 2;
    });
    const canary = carts.filter((c) => c.group === 'canary');
    const main = carts.filter((c) => c.group === 'main');
    expect(canary).toHaveLength(4);

    await watcher.publish('myoscreen/v1/groups/canary/desired', desiredBytes(key, 'canary', 1, good), true);
    await until(() => canary.every((c) => c.cart.store.snapshot().committed && installed(c) === '1.1.0' && c.cart.agent.status() === null), 30_000, 'canary commits');
    // The rest have not moved while the canaries ran.
    expect(main.every((c) => installed(c) === '1.0.0' && c.cart.reports.length === 0)).toBe(true);

    await watcher.publish('myoscreen/v1/groups/main/desired', desiredBytes(key, 'main', 1, good), true);
    await until(() => main.every((c) => installed(c) === '1.1.0' && c.cart.agent.status() === null && c.cart.store.snapshot().committed), 60_000, 'main commits');

    // One cart is sent a model that fails its golden vectors there: it stays on 1.1.0 and says why.
    const bad = carts[13];
    if (!bad) throw new Error('no cart 13');
    await shelf.add('lsnet-1.2.0', (m) => {
      m.version = '1.2.0';
      m.securityVersion = 2;
    }, breakGolden);
    resign(shelf.dir('lsnet-1.2.0'));
    const badTarget = await targetFromPackage(shelf.dir('lsnet-1.2.0'), `${shelf.url}/lsnet-1.2.0`);
    const job = signJobDocument({ jobId: 'job-bad-1', deviceId: bad.id, target: badTarget, issuedAt: new Date().toISOString(), expiresAt: null }, key);
    await watcher.publish(`myoscreen/v1/${bad.id}/jobs/job-bad-1`, job, false);
    const badStatus = `myoscreen/v1/${bad.id}/jobs/job-bad-1/status`;
    await watcher.waitFor(() => watcher.jobStates(badStatus).includes('failed:MYO_ERR_MODEL_GOLDEN'), 30_000, 'the bad cart to report').catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(bad.cart.reports)} ${JSON.stringify(watcher.jobStates(badStatus))}`);
    });
    expect(installed(bad)).toBe('1.1.0');
    expect(bad.cart.store.snapshot().candidate).toBeNull();

    // Every cart's job went through in order and succeeded (reported on the broker, through each cart's connection).
    for (const c of carts) {
      const states = watcher.jobStates(`myoscreen/v1/${c.id}/jobs/${c.group}-r1/status`);
      expect(states.at(-1), c.id).toBe('succeeded');
    }

    const { stdout } = await run(process.execPath, ['dist/src/cli/bin.js', 'fleet', 'status', '--broker', broker.url, '--once', '--wait-ms', '1500', '--json'], { timeout: 20_000 });
    const table = JSON.parse(stdout) as { carts: { device: string; version: string | null; phase: string | null; candidate: string | null }[]; groups: { group: string; revision: number }[] };
    expect(table.carts).toHaveLength(20);
    for (const row of table.carts) {
      expect(row.version, row.device).toBe('1.1.0');
      if (row.device === bad.id) {
        // Job statuses are not retained: a status table started now sees the cart's retained model/state.
        expect(row.phase).toBe('rolled_back');
        expect(row.candidate).toBeNull();
      } else {
        expect(row.phase, row.device).toBe('committed');
      }
    }
    expect(table.groups.map((g) => g.group).sort()).toEqual(['canary', 'main']);
  }, 120_000);
});
