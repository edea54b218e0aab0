import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetCommand } from '../../src/cli/fleet-command.js';
import { runCli } from '../../src/cli/index.js';
import { readDesiredDocument, readJobDocument } from '../../src/fleet/documents/read-documents.js';
import { MemoryReplayGuard } from '../../src/fleet/documents/replay-guard.js';
import { targetFromPackage } from '../../src/fleet/documents/sign-documents.js';
import { fetchPackage } from '../../src/fleet/download/fetch-package.js';
import { DEV_KEY_ID, DEV_PUBLIC_KEY_FILE } from '../../src/infer/package/dev-key.js';
import { readPublicKey, trustedKeys } from '../../src/infer/package/keys.js';
import { verifyPackage } from '../../src/infer/package/verify.js';
import { BUNDLED_PACKAGE } from '../helpers/model-package.js';
import { freePort, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { captureIo, firstMessage, observer, operatorKeyFiles } from './fleet-helpers.js';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.close();
});

const key = operatorKeyFiles('fleet-ops-1');

function keyArgs(): string[] {
  return ['--key', key.keyFile, '--key-id', key.id, '--broker', broker.url];
}

describe('myoscreen fleet publish', () => {
  it('signs the desired state of a group and leaves it retained, where a cart of the group reads and verifies it', async () => {
    const cli = captureIo();
    const baseUrl = 'https://models.example/myoscreen-lsnet/1.0.0';
    const code = await runCli(['fleet', 'publish', '--group', 'canary', '--package', BUNDLED_PACKAGE, '--base-url', baseUrl, '--revision', '41', ...keyArgs(), '--json'], cli);
    expect(cli.err.join('')).toBe('');
    expect(code).toBe(0);
    const printed = JSON.parse(cli.out.join('')) as Record<string, unknown>;
    expect(printed).toMatchObject({ published: true, topic: 'myoscreen/v1/groups/canary/desired', group: 'canary', revision: 41, keyId: 'fleet-ops-1', servedAt: null });

    // A client that connects afterwards still gets it: retained.
    const client = await observer(broker.url);
    try {
      const message = await firstMessage(client, 'myoscreen/v1/groups/canary/desired');
      expect(message.retain).toBe(true);
      const desired = readDesiredDocument(message.payload, { trusted: key.trusted, now: new Date(), group: 'canary', replay: new MemoryReplayGuard() });
      expect(desired).toMatchObject({ revision: 41, keyId: 'fleet-ops-1', expiresAt: null });
      expect(desired.target).toEqual(await targetFromPackage(BUNDLED_PACKAGE, baseUrl));
    } finally {
      await client.endAsync();
    }
  });

  it('--clear publishes a desired state with no target; --expires-in sets an expiry', async () => {
    const cli = captureIo();
    const before = Date.now();
    expect(await runCli(['fleet', 'publish', '--group', 'main', '--clear', '--expires-in', '3600', ...keyArgs()], cli)).toBe(0);
    expect(cli.out.join('')).toContain('group main');
    const client = await observer(broker.url);
    try {
      const { payload } = await firstMessage(client, 'myoscreen/v1/groups/main/desired');
      const desired = readDesiredDocument(payload, { trusted: key.trusted, now: new Date(), group: 'main', replay: new MemoryReplayGuard() });
      expect(desired.target).toBeNull();
      expect(desired.revision).toBeGreaterThanOrEqual(before);
      expect(Date.parse(desired.expiresAt ?? '')).toBeGreaterThan(before + 3_500_000);
    } finally {
      await client.endAsync();
    }
  });

  it('with --serve it serves the package itself until interrupted; a cart fetches it from there and it verifies', async () => {
    const cli = captureIo();
    const controller = new AbortController();
    const port = await freePort();
    const running = fleetCommand(['publish', '--group', 'lab', '--package', BUNDLED_PACKAGE, '--serve', '--listen', `127.0.0.1:${port}`, ...keyArgs(), '--json'], cli, controller.signal);
    const client = await observer(broker.url);
    try {
      const { payload } = await firstMessage(client, 'myoscreen/v1/groups/lab/desired');
      const desired = readDesiredDocument(payload, { trusted: key.trusted, now: new Date(), group: 'lab', replay: new MemoryReplayGuard() });
      expect(desired.target?.baseUrl).toBe(`http://127.0.0.1:${port}`);
      const staging = join(mkdtempSync(join(tmpdir(), 'myo-fleet-stage-')), 'staging');
      if (!desired.target) throw new Error('no target');
      await fetchPackage(desired.target, staging, { signal: AbortSignal.timeout(10_000), maxBytes: 64 * 1024 * 1024, timeoutMs: 5000, allowHttpLoopback: true });
      await expect(verifyPackage(staging, trustedKeys([{ id: DEV_KEY_ID, key: readPublicKey(DEV_PUBLIC_KEY_FILE) }]))).resolves.toBeDefined();
      expect(cli.err.join('')).toContain(`serving ${BUNDLED_PACKAGE} at http://127.0.0.1:${port}`);
    } finally {
      await client.endAsync();
      controller.abort();
    }
    expect(await running).toBe(0);
    expect(JSON.parse(cli.out.join(''))).toMatchObject({ servedAt: `http://127.0.0.1:${port}` });
    // Stopped: the port no longer answers.
    await expect(fetch(`http://127.0.0.1:${port}/model.json`)).rejects.toThrow();
  });

  it.each([
    ['no key', ['fleet', 'publish', '--group', 'g', '--clear', '--key-id', 'k', '--broker', 'mqtt://127.0.0.1:1'], 'MYO_ERR_USAGE'],
    ['neither --base-url nor --serve', ['fleet', 'publish', '--group', 'g', '--package', BUNDLED_PACKAGE], 'MYO_ERR_USAGE'],
    ['a group that cannot be a topic level', ['fleet', 'publish', '--group', 'a/b', '--clear'], 'MYO_ERR_USAGE'],
    ['a base URL with a query', ['fleet', 'publish', '--group', 'g', '--package', BUNDLED_PACKAGE, '--base-url', 'https://x.example/p?t=1'], 'MYO_ERR_DOC_MALFORMED'],
    ['an unknown subcommand', ['fleet', 'launch'], 'MYO_ERR_USAGE'],
  ])('refuses %s with its code', async (_name, argv, code) => {
    const cli = captureIo();
    const withKey = argv.includes('--key-id') ? argv : [...argv, ...keyArgs()];
    expect(await runCli(withKey, cli)).toBeGreaterThan(0);
    expect(cli.err.join('')).toContain(code);
  });

  it('an unreachable broker fails fast with MYO_ERR_FLEET_BROKER (exit 69)', async () => {
    const cli = captureIo();
    const port = await freePort();
    const started = Date.now();
    const code = await runCli(['fleet', 'publish', '--group', 'g', '--clear', '--key', key.keyFile, '--key-id', key.id, '--broker', `mqtt://127.0.0.1:${port}`, '--timeout-ms', '1000'], cli);
    expect(code).toBe(69);
    expect(cli.err.join('')).toContain('MYO_ERR_FLEET_BROKER');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('myoscreen fleet job', () => {
  it('publishes a signed job for one cart on its jobs topic, readable by that cart only', async () => {
    const client = await observer(broker.url);
    try {
      const arriving = firstMessage(client, 'myoscreen/v1/cart-03/jobs/job-7');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const cli = captureIo();
      const args = ['fleet', 'job', '--device', 'cart-03', '--job-id', 'job-7', '--package', BUNDLED_PACKAGE, '--base-url', 'https://m.example/p', ...keyArgs(), '--json'];
      expect(await runCli(args, cli)).toBe(0);
      const { payload, retain } = await arriving;
      expect(retain).toBe(false);
      const job = readJobDocument(payload, { trusted: key.trusted, now: new Date(), deviceId: 'cart-03', replay: new MemoryReplayGuard(), topicJobId: 'job-7' });
      expect(job.target.baseUrl).toBe('https://m.example/p');
      expect(() => readJobDocument(payload, { trusted: key.trusted, now: new Date(), deviceId: 'cart-04', replay: new MemoryReplayGuard() })).toThrow(
        expect.objectContaining({ code: 'MYO_ERR_DOC_WRONG_DEVICE' }),
      );
    } finally {
      await client.endAsync();
    }
  });
});
