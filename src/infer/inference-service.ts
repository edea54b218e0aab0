import { isAbsolute, resolve } from 'node:path';
import type { HealthCheck } from '../api/health.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config/index.js';
import { toMyoError, type MyoError } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';
import { PROJECT_ROOT } from '../core/version.js';
import type { InferenceEngine, PreparedModel } from './engine/engine.js';
import { loadModelPackage } from './model-loader.js';
import { trustFromConfig } from './package/trust.js';

export interface InferenceServiceDeps {
  readonly config: Readonly<Pick<Config, 'inference' | 'models'>>;
  readonly engine: InferenceEngine;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * The package to boot from, asked at start: the model store's active slot once the fleet has installed one
   * (src/fleet/agent), else `inference.package`.
   */
  readonly packageDir?: () => string;
}

/** A package path from the configuration: relative paths are relative to the installation (where models/ ships). */
export function resolvePackageDir(path: string): string {
  return isAbsolute(path) ? path : resolve(PROJECT_ROOT, path);
}

/**
 * Owns the engine and the model it serves. At start it loads the configured package through the full gate (verify,
 * I/O signature, golden vectors). A package that is refused does not stop the daemon: the appliance stays up to show
 * the fault on the display, in health and over the API (a cart with no screening must say so, not vanish), and
 * readiness fails until a good model is loaded.
 */
export class InferenceService implements Lifecycle {
  readonly name = 'inference';
  readonly #deps: InferenceServiceDeps;
  #error: MyoError | null = null;
  #loading = false;

  constructor(deps: InferenceServiceDeps) {
    this.#deps = deps;
  }

  get engine(): InferenceEngine {
    return this.#deps.engine;
  }

  get model(): PreparedModel | null {
    return this.#deps.engine.active();
  }

  get error(): MyoError | null {
    return this.#error;
  }

  async start(): Promise<void> {
    await this.load(this.#deps.packageDir?.() ?? this.#deps.config.inference.package);
  }

  /** Loads and activates a package; returns the refusal (already logged) instead of throwing. */
  async load(path: string): Promise<MyoError | null> {
    const { engine, bus, clock, logger, config } = this.#deps;
    const dir = resolvePackageDir(path);
    this.#loading = true;
    try {
      const loaded = await loadModelPackage(dir, { engine, trust: trustFromConfig(config.models) });
      const { model } = loaded;
      for (const failure of model.fallbacks) {
        const next = config.inference.providers[config.inference.providers.indexOf(failure.provider) + 1] ?? null;
        logger.warn({ provider: failure.provider, reason: failure.reason, next }, `provider ${failure.provider} unavailable, falling back`);
        bus.emit('providerFallback', { failed: failure.provider, next, reason: failure.reason, at: clock.now() });
      }
      logger.info(
        {
          model: model.id,
          version: model.version,
          provider: model.provider,
          loadMs: Math.round(model.loadMs),
          warmupMs: Math.round(model.warmupMs),
          golden: { cases: loaded.golden.cases, worst: loaded.golden.worst },
        },
        `model ${model.id} ${model.version} serving on ${model.provider}`,
      );
      bus.emit('modelLoaded', { id: model.id, version: model.version, sha256: model.sha256, provider: model.provider, loadMs: loaded.tookMs, at: clock.now() });
      this.#error = null;
      return null;
    } catch (error) {
      const coded = toMyoError(error, 'MYO_ERR_ENGINE_FAILED');
      this.#error = coded;
      logger.error({ err: coded, code: coded.code, dir }, `model package refused: ${coded.message}`);
      return coded;
    } finally {
      this.#loading = false;
    }
  }

  health(): HealthCheck {
    const model = this.model;
    const stats = this.#deps.engine.stats();
    if (!model) {
      if (this.#loading) return { status: 'failed', reason: 'loading the model', critical: true };
      return { status: 'failed', reason: this.#error ? `${this.#error.code}: ${this.#error.message}` : 'no model loaded', critical: true };
    }
    if (!stats.available) return { status: 'degraded', reason: 'inference worker restarting', critical: true };
    const fallback = model.fallbacks.length > 0 ? ` (fell back from ${model.fallbacks.map((f) => f.provider).join(', ')})` : '';
    return { status: 'ok', reason: `${model.id} ${model.version} on ${model.provider}${fallback}`, critical: true };
  }

  async stop(): Promise<void> {
    await this.#deps.engine.close();
  }
}
