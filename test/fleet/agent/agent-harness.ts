import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/core/clock.js';
import { EventBus } from '../../../src/core/event-bus.js';
import type { BusEvents } from '../../../src/core/events.js';
import type { Logger } from '../../../src/core/logger.js';
import type { FleetConfig } from '../../../src/core/config/schema.js';
import { FakeEngine, type FakeEngineOptions } from '../../../src/infer/engine/fake-engine.js';
import { loadModelPackage } from '../../../src/infer/model-loader.js';
import { FileModelStore } from '../../../src/infer/model-store/file-model-store.js';
import { DEV_KEY_ID, DEV_PUBLIC_KEY_FILE } from '../../../src/infer/package/dev-key.js';
import { readPublicKey, trustedKeys, type TrustedKeys } from '../../../src/infer/package/keys.js';
import type { Manifest } from '../../../src/infer/package/manifest-schema.js';
import { targetFromPackage } from '../../../src/fleet/documents/sign-documents.js';
import type { ModelTarget } from '../../../src/fleet/documents/types.js';
import { fetchPackage } from '../../../src/fleet/download/fetch-package.js';
import { PackageServer } from '../../../src/fleet/server/package-server.js';
import { UpdateJournal } from '../../../src/fleet/agent/journal.js';
import { UpdateAgent, type JobReport, type UpdateAgentDeps, type UpdateReporter } from '../../../src/fleet/agent/update-agent.js';
import { BUNDLED_PACKAGE, resign } from '../../helpers/model-package.js';
import { silentLogger } from '../../helpers/silent-logger.js';

export const TEST_FLEET_CONFIG: UpdateAgentDeps['config'] = {
  download: { maxBytes: 64 * 1024 * 1024, timeoutMs: 5000, attempts: 2 },
  validation: { latencyRuns: 5, budgetMs: 0 },
  probation: { inferences: 1_000_000, seconds: 0.3, maxInferenceErrors: 0 },
  maxBootAttempts: 2,
  allowHttpLoopback: true,
} satisfies Pick<FleetConfig, 'download' | 'validation' | 'probation' | 'maxBootAttempts' | 'allowHttpLoopback'>;

export function devTrust(): TrustedKeys {
  return trustedKeys([{ id: DEV_KEY_ID, key: readPublicKey(DEV_PUBLIC_KEY_FILE) }]);
}

/** Model package folders served over loopback HTTP (C2's package server), each a variant of the bundled package. */
export class PackageShelf {
  readonly root = mkdtempSync(join(tmpdir(), 'myo-shelf-'));
  readonly #server = new PackageServer({ root: this.root });
  url = '';

  async start(): Promise<void> {
    this.url = (await this.#server.start()).url;
  }

  async stop(): Promise<void> {
    await this.#server.stop();
  }

  dir(name: string): string {
    return join(this.root, name);
  }

  /** A re-signed copy of the bundled package with `mutate` applied to its manifest; `tamper` runs after signing. */
  async add(name: string, mutate: (m: Manifest) => void, tamper?: (dir: string) => void): Promise<ModelTarget> {
    const dir = this.dir(name);
    cpSync(BUNDLED_PACKAGE, dir, { recursive: true });
    resign(dir, mutate);
    const target = await targetFromPackage(dir, `${this.url}/${name}`);
    tamper?.(dir);
    return target;
  }
}

/** Shifts the stored preprocessed tensors of the golden file, so the package fails its golden vectors. */
export function breakGolden(dir: string): void {
  const path = join(dir, 'golden.json');
  const golden = JSON.parse(readFileSync(path, 'utf8')) as { cases: { input: { data: string } }[] };
  for (const c of golden.cases) {
    const bytes = Buffer.from(c.input.data, 'base64');
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    for (let i = 0; i < values.length; i += 1) values[i] = (values[i] ?? 0) + 0.5;
    c.input.data = Buffer.from(values.buffer).toString('base64');
  }
  writeFileSync(path, JSON.stringify(golden));
}

export interface Cart {
  readonly agent: UpdateAgent;
  readonly engine: FakeEngine;
  readonly store: FileModelStore;
  readonly journal: UpdateJournal;
  readonly bus: EventBus;
  readonly reports: JobReport[];
  readonly rolledBack: string[];
  readonly states: BusEvents['modelStateChanged'][];
  readonly stateDir: string;
  exam: boolean;
  healthy: boolean;
  /** Boots as the daemon does: recover, load the boot package into the engine, start the agent. */
  boot(): Promise<void>;
  stop(): Promise<void>;
  reportsFor(jobId: string): string[];
}

export function makeCart(options: {
  stateDir?: string;
  engine?: FakeEngineOptions;
  config?: Partial<UpdateAgentDeps['config']>;
  budgetMs?: number;
  logger?: Logger;
  pauseAt?: string | null;
  /** Also told every report (the fleet simulation publishes them over MQTT). */
  reporter?: UpdateReporter;
} = {}): Cart {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'myo-cart-'));
  mkdirSync(stateDir, { recursive: true });
  const engine = new FakeEngine(options.engine ?? {});
  const store = FileModelStore.open(join(stateDir, 'models'));
  const journal = new UpdateJournal(join(stateDir, 'fleet', 'journal.json'));
  const bus = new EventBus();
  const reports: JobReport[] = [];
  const rolledBack: string[] = [];
  const states: BusEvents['modelStateChanged'][] = [];
  bus.on('modelStateChanged', (e) => states.push(e));
  const cart: Cart = {
    exam: false,
    healthy: true,
    engine,
    store,
    journal,
    bus,
    reports,
    rolledBack,
    states,
    stateDir,
    agent: new UpdateAgent({
      config: { ...TEST_FLEET_CONFIG, ...options.config },
      budgetMs: options.budgetMs ?? 0,
      store,
      journal,
      engine,
      trust: devTrust,
      fetchPackage,
      examRunning: () => cart.exam,
      inferenceHealthy: () => cart.healthy,
      factoryPackageDir: BUNDLED_PACKAGE,
      reporter: {
        jobStatus: (r) => {
          reports.push(r);
          options.reporter?.jobStatus(r);
        },
        rolledBack: (reason, data) => {
          rolledBack.push(reason);
          options.reporter?.rolledBack(reason, data);
        },
      },
      bus,
      clock: systemClock,
      logger: options.logger ?? silentLogger(),
      pauseAt: options.pauseAt ?? null,
      pollMs: 20,
    }),
    async boot() {
      this.agent.recover();
      try {
        await loadModelPackage(this.agent.bootPackageDir(), { engine, trust: devTrust() });
      } catch {
        // the agent's start() sees the engine empty and rolls back, as in the daemon
      }
      await this.agent.start();
    },
    async stop() {
      await this.agent.stop();
      await engine.close();
    },
    reportsFor(jobId) {
      return reports.filter((r) => r.jobId === jobId).map((r) => (r.error ? `${r.state}:${r.error.code}` : r.state)).filter((s, i, all) => all[i - 1] !== s);
    },
  };
  return cart;
}

export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
