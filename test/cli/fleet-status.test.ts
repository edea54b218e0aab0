import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetCommand } from '../../src/cli/fleet-command.js';
import { runCli } from '../../src/cli/index.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { captureIo, observer, operatorKeyFiles } from './fleet-helpers.js';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.close();
});

const SHA = 'a'.repeat(64);
let session = 0;

function envelope(deviceId: string, sentAt: string): Record<string, unknown> {
  session += 1;
  return { v: 1, messageId: `m-${session}`, sentAt, deviceId, session: 1 };
}

/** What two carts would have left on the broker: retained status, info and model/state. */
async function seedCarts(): Promise<void> {
  const client = await observer(broker.url);
  const retained = { qos: 1, retain: true } as const;
  const publish = (topic: string, body: Record<string, unknown>, opts: { qos: 1; retain: boolean } = retained): Promise<unknown> =>
    client.publishAsync(topic, JSON.stringify(body), opts);
  try {
    const t = '2026-03-01T10:00:00.000Z';
    await publish('myoscreen/v1/cart-01/status', { ...envelope('cart-01', t), state: 'online' });
    await publish('myoscreen/v1/cart-01/model/state', {
      ...envelope('cart-01', '2026-03-01T10:00:05.000Z'),
      installed: { id: 'myoscreen-lsnet', version: '1.0.0', sha256: SHA, securityVersion: 1 },
      candidate: { id: 'myoscreen-lsnet', version: '1.1.0', sha256: SHA, securityVersion: 2 },
      phase: 'downloading',
      progress: 0.42,
      jobId: 'job-1',
    });
    await publish('myoscreen/v1/cart-02/status', { ...envelope('cart-02', t), state: 'offline' });
    await publish('myoscreen/v1/cart-02/info', {
      ...envelope('cart-02', t),
      daemonVersion: '0.1.0',
      nodeVersion: 'v20.19.0',
      hardware: { platform: 'linux', arch: 'arm64', model: null, cpus: 6, memoryMb: 7620 },
      model: { id: 'myoscreen-lsnet', version: '1.0.0', sha256: SHA },
      provider: 'cpu',
      config: {},
    });
    // Junk on a cart topic is ignored, not fatal.
    await publish('myoscreen/v1/cart-03/model/state', { phase: 'dreaming' });
  } finally {
    await client.endAsync();
  }
}

describe('myoscreen fleet status', () => {
  it('--once --json prints one object with a row per cart and the groups\' desired states, after --wait-ms', async () => {
    await seedCarts();
    const key = operatorKeyFiles('ops-2');
    expect(await runCli(['fleet', 'publish', '--group', 'canary', '--clear', '--revision', '5', '--key', key.keyFile, '--key-id', key.id, '--broker', broker.url], captureIo())).toBe(0);

    const cli = captureIo();
    const running = runCli(['fleet', 'status', '--broker', broker.url, '--once', '--wait-ms', '1500', '--json'], cli);
    // A job status published while it listens shows up too (job statuses are not retained).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const client = await observer(broker.url);
    await client.publishAsync(
      'myoscreen/v1/cart-02/jobs/job-9/status',
      JSON.stringify({ ...envelope('cart-02', '2026-03-01T10:01:00.000Z'), jobId: 'job-9', state: 'failed', progress: null, error: { code: 'MYO_ERR_MODEL_GOLDEN', message: 'golden mismatch' } }),
      { qos: 1 },
    );
    await client.endAsync();
    expect(await running).toBe(0);
    expect(cli.out.length).toBe(1);
    const printed = JSON.parse(cli.out[0] ?? '') as { carts: unknown[]; groups: unknown[] };
    expect(printed.carts).toEqual([
      { device: 'cart-01', status: 'online', model: 'myoscreen-lsnet', version: '1.0.0', phase: 'downloading', progress: 0.42, candidate: '1.1.0', job: null, lastSeen: '2026-03-01T10:00:05.000Z' },
      { device: 'cart-02', status: 'offline', model: 'myoscreen-lsnet', version: '1.0.0', phase: null, progress: null, candidate: null, job: 'job-9 failed MYO_ERR_MODEL_GOLDEN', lastSeen: '2026-03-01T10:01:00.000Z' },
    ]);
    expect(printed.groups).toEqual([{ group: 'canary', revision: 5, target: null, keyId: 'ops-2', issuedAt: expect.any(String) as string }]);
  });

  it('prints a text table with the columns an operator reads', async () => {
    await seedCarts();
    const cli = captureIo();
    expect(await runCli(['fleet', 'status', '--broker', broker.url, '--once', '--wait-ms', '500'], cli)).toBe(0);
    const text = cli.out.join('');
    expect(text).toMatch(/^DEVICE\s+STATUS\s+MODEL\s+VERSION\s+PHASE\s+PROGRESS\s+CANDIDATE\s+JOB\s+LAST SEEN/);
    expect(text).toMatch(/cart-01\s+online\s+myoscreen-lsnet\s+1\.0\.0\s+downloading\s+42%\s+1\.1\.0/);
    expect(text).not.toContain('cart-03');
  });

  it('live mode redraws after a change and stops when interrupted', async () => {
    const cli = captureIo();
    const controller = new AbortController();
    const running = fleetCommand(['status', '--broker', broker.url, '--json'], cli, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const client = await observer(broker.url);
    await client.publishAsync('myoscreen/v1/cart-09/status', JSON.stringify({ ...envelope('cart-09', '2026-03-01T11:00:00.000Z'), state: 'online' }), { qos: 1 });
    await client.endAsync();
    const deadline = Date.now() + 5000;
    while (!cli.out.some((line) => line.includes('cart-09')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    expect(await running).toBe(0);
    expect(cli.out.some((line) => line.includes('"cart-09"'))).toBe(true);
  });
});
