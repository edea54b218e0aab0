import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import type { ModelTarget } from '../../src/fleet/documents/types.js';
import { PackageShelf } from './agent/agent-harness.js';
import { BrokerWatcher, desiredBytes, operatorKey } from './fleet-test-kit.js';

/**
 * The crash table (in the style of Mender's): for each state of an update the daemon (a real process, real
 * onnxruntime) is stopped with SIGKILL right after its journal names that state, started again, and must converge
 * to a verified model (here always the new one: before activation the job resumes, after it probation resumes) with
 * the right reports. The pause is the test-only hook MYOSCREEN_TEST_PAUSE_AT (src/fleet/agent/test-pause.ts).
 */
let broker: Mosquitto;
const shelf = new PackageShelf();
const watcher = new BrokerWatcher();
const key = operatorKey();
let target: ModelTarget;
const running: DaemonProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  broker = await startMosquitto();
  await shelf.start();
  target = await shelf.add('v2', (m) => {
    m.version = '1.1.0';
    m.securityVersion = 2;
  });
  await watcher.start(broker.url, ['myoscreen/v1/+/model/state', 'myoscreen/v1/+/jobs/+/status', 'myoscreen/v1/+/evt/+']);
}, 120_000);

afterEach(async () => {
  for (const d of running.splice(0)) {
    d.child.kill('SIGKILL');
    await d.exited;
  }
});

afterAll(async () => {
  await watcher.stop();
  await shelf.stop();
  await broker.close();
});

function startCart(cart: string, stateDir: string, pauseAt: string | null): DaemonProcess {
  const daemon = startDaemonProcess([], {
    MYOSCREEN_DEVICE_ID: cart,
    MYOSCREEN_STATE_DIR: stateDir,
    MYOSCREEN_API_PORT: '0',
    MYOSCREEN_MQTT_URL: broker.url,
    MYOSCREEN_LOG_LEVEL: 'info',
    // No picture at all: no exam ever runs, so nothing but the hook holds the update.
    MYOSCREEN_CAPTURE_SOURCE: 'file',
    MYOSCREEN_CAPTURE_FILE_PATH: join(stateDir, 'no-such-video.y4m'),
    MYOSCREEN_DISPLAY_LOG_EMULATOR: 'false',
    MYOSCREEN_HEALTH_TEGRASTATS: 'false',
    MYOSCREEN_FLEET_ENABLED: 'true',
    MYOSCREEN_FLEET_GROUP: cart,
    MYOSCREEN_FLEET_ALLOW_HTTP_LOOPBACK: 'true',
    MYOSCREEN_FLEET_TRUSTED_KEYS: JSON.stringify([{ id: key.id, publicKeyFile: key.publicKeyFile }]),
    MYOSCREEN_FLEET_VALIDATION_LATENCY_RUNS: '5',
    MYOSCREEN_FLEET_VALIDATION_BUDGET_MS: '5000',
    MYOSCREEN_FLEET_PROBATION_SECONDS: '1',
    ...(pauseAt ? { MYOSCREEN_TEST_PAUSE_AT: pauseAt } : { MYOSCREEN_TEST_PAUSE_AT: '' }),
  });
  running.push(daemon);
  return daemon;
}

const servingLine = (version: string) => (line: Record<string, unknown>) =>
  typeof line.msg === 'string' && line.msg.startsWith('model myoscreen-lsnet') && line.msg.includes(` ${version} serving`);
const pausedAt = (state: string) => (line: Record<string, unknown>) => line.msg === `test pause at ${state}`;

async function killAt(cart: string, stateDir: string, state: string): Promise<void> {
  const daemon = startCart(cart, stateDir, state);
  await daemon.waitForLog(pausedAt(state), 25_000);
  daemon.child.kill('SIGKILL');
  await daemon.exited;
}

const STATES = ['queued', 'downloading', 'verifying', 'staged', 'waiting', 'validating', 'activating', 'probation', 'committed'] as const;

describe('crash table: SIGKILL at every state of an update, then restart', () => {
  for (const state of STATES) {
    it(`killed at ${state}: converges to the new verified model and reports success`, async () => {
      const cart = `crash-${state}`;
      const stateDir = join(mkdtempSync(join(tmpdir(), 'myo-crash-')), 'state');
      await watcher.publish(`myoscreen/v1/groups/${cart}/desired`, desiredBytes(key, cart, 1, target), true);
      await killAt(cart, stateDir, state);
      const statusTopic = `myoscreen/v1/${cart}/jobs/${cart}-r1/status`;
      const restarted = startCart(cart, stateDir, null);
      // Never none: the restarted daemon serves a verified model (old or new) as soon as it has booted.
      await restarted.waitForLog((l) => servingLine('1.0.0')(l) || servingLine('1.1.0')(l), 25_000);
      await watcher
        .waitFor(() => {
          const s = watcher.last(`myoscreen/v1/${cart}/model/state`);
          return s?.phase === 'committed' && (s.installed as { version?: string } | null)?.version === '1.1.0';
        }, 25_000, `${cart} to commit 1.1.0`)
        .catch((error: unknown) => {
          const seen = watcher.messages.filter((m) => m.topic.includes(cart)).map((m) => `${m.topic} ${JSON.stringify(m.payload).slice(0, 300)}`);
          const logs = restarted.logs.filter((l) => l.component === 'fleet' || l.level !== 30).map((l) => JSON.stringify(l).slice(0, 400));
          throw new Error(`${String(error)}\nbroker:\n${seen.join('\n')}\nlogs:\n${logs.join('\n')}`);
        });
      const states = watcher.jobStates(statusTopic);
      expect(states).toContain('succeeded');
      expect(states.some((s) => s.startsWith('failed') || s.startsWith('rejected') || s.startsWith('rolled_back'))).toBe(false);
      // The state the kill interrupted was reported before the kill: the journal and the report go out together.
      expect(states).toContain(state === 'committed' ? 'succeeded' : state);
    }, 60_000);
  }

  it('a model that keeps the daemon from booting on probation is rolled back after its boot attempts', async () => {
    const cart = 'crash-loop';
    const stateDir = join(mkdtempSync(join(tmpdir(), 'myo-crash-')), 'state');
    await watcher.publish(`myoscreen/v1/groups/${cart}/desired`, desiredBytes(key, cart, 1, target), true);
    await killAt(cart, stateDir, 'probation'); // boot 1 (in-process activation)
    await killAt(cart, stateDir, 'probation'); // boot 2 of fleet.maxBootAttempts = 2
    const restarted = startCart(cart, stateDir, null); // boot 3: one too many
    await restarted.waitForLog(servingLine('1.0.0'), 25_000);
    const statusTopic = `myoscreen/v1/${cart}/jobs/${cart}-r1/status`;
    await watcher.waitFor(() => watcher.jobStates(statusTopic).includes('rolled_back:MYO_ERR_UPDATE_CRASH_LOOP'), 25_000, 'crash-loop rollback report');
    await watcher.waitFor(() => watcher.last(`myoscreen/v1/${cart}/model/state`)?.phase === 'rolled_back', 10_000, 'model/state rolled_back');
    expect((watcher.last(`myoscreen/v1/${cart}/model/state`)?.installed as { version?: string } | null)?.version).toBe('1.0.0');
    await watcher.waitFor(() => watcher.messages.some((m) => m.topic === `myoscreen/v1/${cart}/evt/model_rolled_back`), 10_000, 'model_rolled_back event');
    // The retained desired state names the package that failed here: it is not tried again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(restarted.logs.some((l) => typeof l.msg === 'string' && l.msg.includes(': downloading'))).toBe(false);
  }, 90_000);
});
