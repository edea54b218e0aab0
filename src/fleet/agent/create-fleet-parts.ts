import { renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { Config } from '../../core/config/index.js';
import { toMyoError } from '../../core/errors.js';
import type { EventBus } from '../../core/event-bus.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logger.js';
import type { InferenceEngine } from '../../infer/engine/engine.js';
import { resolvePackageDir } from '../../infer/inference-service.js';
import { FileModelStore } from '../../infer/model-store/file-model-store.js';
import { readPublicKey, trustedKeys } from '../../infer/package/keys.js';
import { trustFromConfig } from '../../infer/package/trust.js';
import type { TelemetryService } from '../../telemetry/telemetry-service.js';
import { FileReplayGuard } from '../documents/replay-guard.js';
import { fetchPackage } from '../download/fetch-package.js';
import { FleetListener } from './fleet-listener.js';
import { UpdateJournal } from './journal.js';
import { TEST_PAUSE_ENV } from './test-pause.js';
import { UpdateAgent, type UpdateReporter } from './update-agent.js';

export interface FleetParts {
  readonly agent: UpdateAgent;
  /** Runs before the inference part starts: settles store and journal so the engine boots a model they agree on. */
  readonly recovery: Lifecycle;
  /** The agent, and the MQTT listener when `fleet.enabled`; they start after inference. */
  readonly parts: readonly Lifecycle[];
}

/** Opens the store; a record that cannot be read is moved aside so the cart boots its factory model, not nothing. */
function openStore(root: string, logger: Logger): FileModelStore {
  try {
    return FileModelStore.open(root);
  } catch (error) {
    const aside = `${root}.unreadable-${Date.now()}`;
    logger.error({ err: error, movedTo: aside }, 'model store unreadable; moved aside, booting the factory model');
    renameSync(root, aside);
    return FileModelStore.open(root);
  }
}

/** The latency budget validation holds a candidate to: fleet.validation.budgetMs, else the pipeline's budget. */
export function validationBudgetMs(config: Readonly<Config>): number {
  return config.fleet.validation.budgetMs || config.pipeline.budgetMs || 1000 / config.capture.fps;
}

/**
 * Builds the device side of fleet updates for the daemon: model store under `<state.dir>/models`, journal and
 * replay guard under `<state.dir>/fleet`, the agent (always: a committed model must boot even with the fleet turned
 * off) and the listener (only with `fleet.enabled`). Telemetry is reached lazily because it is built after inference.
 */
export function createFleetParts(deps: {
  readonly config: Readonly<Config>;
  readonly engine: InferenceEngine;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly telemetry: () => TelemetryService;
  readonly examRunning: () => boolean;
  readonly inferenceHealthy: () => boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}): FleetParts {
  const { config, logger } = deps;
  const stateDir = resolve(config.state.dir);
  const store = openStore(join(stateDir, 'models'), logger);
  const reporter: UpdateReporter = {
    jobStatus: (r) => {
      try {
        deps.telemetry().publishDurable('jobStatus', { jobId: r.jobId }, { jobId: r.jobId, state: r.state, progress: r.progress, ...(r.error ? { error: r.error } : {}) });
      } catch (error) {
        logger.warn({ err: toMyoError(error), jobId: r.jobId, state: r.state }, 'job status not queued');
      }
    },
    rolledBack: (reason, data) => {
      try {
        deps.telemetry().publishDurable('event', { type: 'model_rolled_back' }, { type: 'model_rolled_back', at: new Date().toISOString(), reason: reason.slice(0, 500), data: { ...data } });
      } catch (error) {
        logger.warn({ err: toMyoError(error) }, 'model_rolled_back event not queued');
      }
    },
  };
  const pauseAt = (deps.env ?? process.env)[TEST_PAUSE_ENV] || null;
  if (pauseAt !== null) logger.warn({ pauseAt }, `${TEST_PAUSE_ENV} is set: the update agent pauses for a crash test (never in production)`);
  const agent = new UpdateAgent({
    config: config.fleet,
    budgetMs: validationBudgetMs(config),
    store,
    journal: new UpdateJournal(join(stateDir, 'fleet', 'journal.json')),
    engine: deps.engine,
    trust: () => trustFromConfig(config.models),
    fetchPackage,
    examRunning: deps.examRunning,
    inferenceHealthy: deps.inferenceHealthy,
    factoryPackageDir: resolvePackageDir(config.inference.package),
    reporter,
    bus: deps.bus,
    clock: deps.clock,
    logger,
    pauseAt,
  });
  const recovery: Lifecycle = {
    name: 'model-recovery',
    start: () => {
      agent.recover();
      return Promise.resolve();
    },
    stop: () => Promise.resolve(),
  };
  const parts: Lifecycle[] = [agent];
  if (config.fleet.enabled) {
    parts.push(
      new FleetListener({
        deviceId: config.device.id,
        group: config.fleet.group,
        subscriber: { subscribe: (filter, handler) => deps.telemetry().subscribe(filter, handler) },
        trusted: trustedKeys(config.fleet.trustedKeys.map((k) => ({ id: k.id, key: readPublicKey(k.publicKeyFile) }))),
        replay: FileReplayGuard.open(join(stateDir, 'fleet', 'replay.json')),
        agent,
        reporter,
        logger,
      }),
    );
  }
  return { agent, recovery, parts };
}
