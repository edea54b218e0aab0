import type { CheckStatus, HealthCheck, HealthView } from '../../api/health.js';
import type { Clock } from '../../core/clock.js';
import { MyoError } from '../../core/errors.js';
import type { EventBus } from '../../core/event-bus.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import type { Logger } from '../../core/logger.js';
import type { MetricsRegistry } from '../../telemetry/metrics.js';
import { INITIAL_JUDGE_MEMORY, judgeHealth, type JudgeMemory, type TemperatureSighting } from './health-judge.js';
import { registerHealthGauges } from './health-metrics.js';
import type { HealthReadings, HealthSources } from './health-readings.js';
import { HEALTH_PARTS, healthThresholds, type HealthPart, type HealthThresholds } from './health-thresholds.js';
import { describeError, unknown, type Probed } from './probed.js';
import type { ThrottlingState } from './throttle-detector.js';

export interface HealthMonitorOptions {
  /** How often to poll (default 5000 ms). */
  readonly intervalMs?: number | undefined;
  readonly thresholds?: Partial<HealthThresholds> | undefined;
}

export interface HealthMonitorDeps {
  readonly sources: HealthSources;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
}

/** The readings and judgement of the latest poll, for the API and MQTT. */
export interface HealthSnapshot {
  /** Monotonic ms of the poll; null before the first one. */
  readonly at: number | null;
  readonly readings: HealthReadings | null;
  readonly checks: Readonly<Record<HealthPart, HealthCheck>>;
  readonly throttling: ThrottlingState | null;
  readonly hottest: TemperatureSighting | null;
}

export const DEFAULT_HEALTH_INTERVAL_MS = 5000;

/**
 * Polls the device's health sources every `intervalMs`, judges the readings, and keeps the latest of both. Status
 * changes (not every reading) go on the bus as `healthChanged` / `throttlingChanged`; gauges read the latest poll at
 * scrape time. A poll never overlaps the previous one, and a source that throws counts as an unknown reading.
 */
export class HealthMonitor implements Lifecycle, HealthView {
  readonly name = 'health';
  readonly #deps: HealthMonitorDeps;
  readonly #intervalMs: number;
  readonly #thresholds: HealthThresholds;
  #memory: JudgeMemory = INITIAL_JUDGE_MEMORY;
  #readings: HealthReadings | null = null;
  #checks: Readonly<Record<HealthPart, HealthCheck>>;
  #statuses: Partial<Record<HealthPart, CheckStatus>> = {};
  #throttling: ThrottlingState | null = null;
  #hottest: TemperatureSighting | null = null;
  #inFlight: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #stopped = false;

  constructor(deps: HealthMonitorDeps, options: HealthMonitorOptions = {}) {
    this.#deps = deps;
    this.#intervalMs = Math.max(100, options.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS);
    this.#thresholds = healthThresholds(options.thresholds);
    const pending = (part: HealthPart): HealthCheck => ({
      status: 'degraded',
      reason: 'not measured yet',
      critical: this.#thresholds.criticalParts.includes(part),
    });
    this.#checks = { thermal: pending('thermal'), memory: pending('memory'), disk: pending('disk'), cpu: pending('cpu') };
    registerHealthGauges(deps.metrics, () => ({ readings: this.#readings, throttling: this.#throttling }));
  }

  get thresholds(): HealthThresholds {
    return this.#thresholds;
  }

  checks(): Record<string, HealthCheck> {
    return { ...this.#checks };
  }

  snapshot(): HealthSnapshot {
    return {
      at: this.#readings?.at ?? null,
      readings: this.#readings,
      checks: this.#checks,
      throttling: this.#throttling,
      hottest: this.#hottest,
    };
  }

  /** Takes the first readings before returning, so checks() means something as soon as the part is up. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#running || this.#stopped) throw new MyoError('MYO_ERR_LIFECYCLE', 'health monitor started twice or after stop');
    signal.throwIfAborted();
    this.#running = true;
    await this.poll();
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#inFlight;
  }

  /** One poll: read, judge, publish. Joins the poll in flight instead of starting a second one. */
  poll(): Promise<void> {
    this.#inFlight ??= this.#pollOnce().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.poll().then(() => this.#schedule());
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #pollOnce(): Promise<void> {
    try {
      const readings = await this.#read();
      const judgement = judgeHealth(readings, this.#memory, this.#thresholds);
      this.#memory = judgement.memory;
      this.#readings = readings;
      this.#checks = judgement.checks;
      this.#hottest = judgement.hottest;
      this.#publish(judgement.checks, judgement.throttling, readings.at);
    } catch (error) {
      // The judge is pure and the sources are guarded; this is a bug, but it must not stop the polling.
      this.#deps.logger.error({ err: error }, 'health poll failed');
    }
  }

  async #read(): Promise<HealthReadings> {
    const { sources, clock } = this.#deps;
    const [cpuLoad, memory, disk, cpuTemperature, thermalZones, cpuFrequencies, powerMode] = await Promise.all([
      guard('CPU load', () => sources.cpuLoad()),
      guard('memory', () => sources.memory()),
      guard('disk', () => sources.disk()),
      guard('CPU temperature', () => sources.cpuTemperature()),
      guard('thermal zones', () => sources.thermalZones()),
      guard('CPU frequencies', () => sources.cpuFrequencies()),
      guard('power mode', () => sources.powerMode()),
    ]);
    let tegrastats: HealthReadings['tegrastats'] = null;
    try {
      tegrastats = sources.tegrastats();
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'tegrastats source threw');
    }
    return { at: clock.now(), cpuLoad, memory, disk, cpuTemperature, thermalZones, cpuFrequencies, powerMode, tegrastats };
  }

  #publish(checks: Readonly<Record<HealthPart, HealthCheck>>, throttling: ThrottlingState, at: number): void {
    const { bus, logger } = this.#deps;
    for (const part of HEALTH_PARTS) {
      const { status, reason } = checks[part];
      const previous = this.#statuses[part] ?? null;
      this.#statuses[part] = status;
      // The first judgement is news only when something is wrong; "ok at start" is the expected state.
      if (previous === status || (previous === null && status === 'ok')) continue;
      bus.emit('healthChanged', { part, status, previous, reason, at });
      const fields = { part, status, previous, reason };
      if (status === 'ok') logger.info(fields, 'health recovered');
      else logger.warn(fields, 'health changed');
    }
    const wasThrottled = this.#throttling?.throttled ?? false;
    this.#throttling = throttling;
    if (throttling.throttled !== wasThrottled) {
      bus.emit('throttlingChanged', { throttled: throttling.throttled, reason: throttling.reason, at });
      if (throttling.throttled) logger.warn({ reason: throttling.reason }, 'thermal throttling');
      else logger.info('thermal throttling ended');
    }
  }
}

async function guard<T>(what: string, read: () => Promise<Probed<T>>): Promise<Probed<T>> {
  try {
    return await read();
  } catch (error) {
    return unknown(`${what} source threw: ${describeError(error)}`);
  }
}
