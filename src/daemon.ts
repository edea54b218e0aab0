import { buildApiApp, type ApiApp } from './api/app.js';
import { apiSecurityFrom } from './api/auth.js';
import { displayViewOf } from './api/display-view.js';
import { temperaturesOf } from './api/temperatures.js';
import { ApiServer } from './api/api-server.js';
import type { HealthCheck } from './api/health.js';
import { healthBody } from './api/health-body.js';
import { CaptureService } from './capture/capture-service.js';
import { createFrameSource } from './capture/create-source.js';
import type { FrameSource } from './capture/frame-source.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Config } from './core/config/index.js';
import { EventBus } from './core/event-bus.js';
import type { BusEvents } from './core/events.js';
import { RestartRequests } from './core/restart-requests.js';
import { TemporaryLogLevel } from './core/temporary-log-level.js';
import { LifecycleGroup } from './core/lifecycle.js';
import { componentLogger, type Logger } from './core/logger.js';
import { PROJECT_ROOT, VERSION } from './core/version.js';
import { captureHealth } from './device/capture-health.js';
import { Watchdog, type WatchdogNotifier } from './device/watchdog/watchdog.js';
import { HealthMonitor } from './device/health/health-monitor.js';
import { createSystemHealthSources } from './device/health/system-health-sources.js';
import type { HealthSources } from './device/health/health-readings.js';
import { TegrastatsReader } from './device/health/tegrastats-reader.js';
import { createStatusDisplay } from './device/display/create-status-display.js';
import { DisplayPresenter } from './device/display/display-presenter.js';
import type { StatusDisplay } from './device/display/status-display.js';
import { displayInputFrom } from './device/display-input.js';
import { testPages } from './device/display/test-pages.js';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { InferenceEngine } from './infer/engine/engine.js';
import { createWorkerEngine } from './infer/engine/create-worker-engine.js';
import { InferenceService } from './infer/inference-service.js';
import { createFleetParts } from './fleet/agent/create-fleet-parts.js';
import { FrameConsumer } from './pipeline/frame-consumer.js';
import { ScreeningPipeline } from './pipeline/screening-pipeline.js';
import { newExamId } from './records/exam-record.js';
import type { ExamStore } from './records/exam-store.js';
import { SqliteExamStore } from './records/sqlite-exam-store.js';
import { DaemonSelfTest } from './selftest/daemon-selftest.js';
import type { TopicBody } from './telemetry/contract/index.js';
import { registerCaptureMetrics } from './telemetry/capture-metrics.js';
import { EventLoopLag } from './telemetry/event-loop-lag.js';
import { TelemetryService } from './telemetry/telemetry-service.js';
import { counterFromTotal, MetricsRegistry } from './telemetry/metrics.js';

export interface DaemonDeps {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Tests swap the frame source; production builds it from `config.capture`. */
  readonly createSource?: (config: Config['capture'], deps: { bus: EventBus; clock: Clock; logger: Logger }) => FrameSource;
  /** Tests swap the engine (a FakeEngine); production runs onnxruntime in a worker thread. */
  readonly createEngine?: (config: Config['inference'], deps: { logger: Logger; onRestart: (reason: string, restarts: number) => void }) => InferenceEngine;
  /** Tests may keep exams in memory; production stores them in SQLite under state.dir. */
  readonly examStore?: ExamStore;
  /** Tests build a MemoryDisplay on the daemon's bus; production drives the Nextion on display.port, or the emulator. */
  readonly displayFor?: (bus: EventBus) => StatusDisplay;
  /** Tests pass fake readings; production reads systeminformation, /sys and tegrastats. */
  readonly healthSources?: HealthSources;
  /** systemd's notify socket (main.ts builds it from the environment); with a watchdog interval, a Watchdog part runs. */
  readonly notifier?: WatchdogNotifier;
}

/** The configuration as it may leave the device: file paths of keys are fine, anything named like a secret is not. */
function redactConfig(config: Readonly<Config>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(config, (key, value: unknown) => (/(password|secret|token|privateKey)/i.test(key) ? '[redacted]' : value)),
  ) as Record<string, unknown>;
}

/** The display degrades, it never blocks readiness: screening works without it (the result is also logged). */
function displayHealth(display: StatusDisplay): HealthCheck {
  const stats = display.stats();
  if (stats.connected) return { status: 'ok', reason: `connected, ${stats.reconnects} reconnect(s)`, critical: false };
  return { status: 'degraded', reason: 'display not connected (retrying)', critical: false };
}

/** Where exam records live: `<state.dir>/exams.sqlite`. */
export function examDatabasePath(config: Config): string {
  return join(resolve(config.state.dir), 'exams.sqlite');
}

export interface Daemon {
  readonly bus: EventBus;
  readonly metrics: MetricsRegistry;
  readonly app: ApiApp;
  readonly capture: CaptureService;
  readonly inference: InferenceService;
  readonly screening: ScreeningPipeline;
  readonly store: ExamStore;
  readonly eventLoop: EventLoopLag;
  readonly health: HealthMonitor;
  readonly display: StatusDisplay;
  readonly telemetry: TelemetryService;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  /** Where the API listens once started. */
  apiAddress(): { host: string; port: number } | null;
}

/**
 * The composition root: builds every part from the configuration with its real adapter (or the one a test passes),
 * wires them through constructor arguments and the bus, and starts them in order / stops them in reverse.
 */
export function createDaemon(deps: DaemonDeps): Daemon {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const log = (component: string): Logger => componentLogger(logger, component);
  const busLog = log('bus');
  const bus = new EventBus((event, error) => busLog.error({ err: error, event }, 'bus listener failed'));
  const metrics = new MetricsRegistry({ defaultLabels: { device: config.device.id } });

  const sourceDeps = { bus, clock, logger: log(`capture.${config.capture.source}`) };
  const source = (deps.createSource ?? createFrameSource)(config.capture, sourceDeps);
  const capture = new CaptureService({ source, config: config.capture, bus, clock, logger: log('capture') });
  registerCaptureMetrics(metrics, () => capture.stats(), source.name);

  const engineLog = log('inference');
  const engine = (deps.createEngine ?? createWorkerEngine)(config.inference, {
    stateDir: config.state.dir,
    logger: engineLog,
    onRestart: (reason, restarts) => bus.emit('engineRestarted', { reason, restarts, at: clock.now() }),
  });
  // The fleet's model store decides what boots (its active slot, else inference.package); built below.
  const inference = new InferenceService({ config, engine, bus, clock, logger: engineLog, packageDir: () => fleet.agent.bootPackageDir() });
  // A store passed in belongs to the caller (tests read it after stop); the one opened here is closed here.
  const ownsStore = !deps.examStore;
  let examStore: ExamStore;
  if (deps.examStore) {
    examStore = deps.examStore;
  } else {
    mkdirSync(resolve(config.state.dir), { recursive: true });
    examStore = SqliteExamStore.open(examDatabasePath(config));
  }
  const screening = new ScreeningPipeline({
    config,
    engine,
    store: examStore,
    bus,
    clock,
    logger: log('screening'),
    metrics,
    daemonVersion: VERSION,
    newExamId,
  });
  const consumer = new FrameConsumer({
    name: 'pipeline',
    source: capture.mailbox,
    logger: log('pipeline'),
    handle: (item) => screening.handle(item),
  });
  metrics.counter('pipeline_frames_taken_total', 'Frames taken from the mailbox by the pipeline.', {
    collect: counterFromTotal(() => consumer.stats().handled),
  });
  const eventLoop = new EventLoopLag(metrics);
  const tegrastats = config.health.tegrastats && !deps.healthSources ? new TegrastatsReader({ intervalMs: 1000 }, { clock, logger: log('tegrastats') }) : null;
  const { intervalMs, tegrastats: _useTegrastats, sysRoot, ...thresholds } = config.health;
  const deviceHealth = new HealthMonitor(
    {
      sources: deps.healthSources ?? createSystemHealthSources({ statePath: resolve(config.state.dir), sysRoot, ...(tegrastats ? { tegrastats } : {}) }),
      bus,
      clock,
      logger: log('health'),
      metrics,
    },
    { intervalMs, thresholds },
  );
  // Stopped last, after the pipeline has written the record of an exam interrupted by the shutdown.
  const records = {
    name: 'records',
    start: () => Promise.resolve(),
    stop: () => {
      if (ownsStore) examStore.close();
      return Promise.resolve();
    },
  };

  const display = deps.displayFor?.(bus) ?? createStatusDisplay({ config: config.display, bus, logger: log('display'), clock });
  const health = {
    checks: (): Record<string, HealthCheck> => ({
      capture: captureHealth(capture.stats()),
      inference: inference.health(),
      pipeline: screening.health(),
      ...deviceHealth.checks(),
      display: displayHealth(display),
      mqtt: telemetry.health(),
    }),
  };
  // The update agent (src/fleet) reports its phase on the bus; until it does, the state is the loaded model, idle.
  let modelState: BusEvents['modelStateChanged'] | null = null;
  bus.on('modelStateChanged', (e) => {
    modelState = e;
  });
  const initialModelState = (): TopicBody<'modelState'> => {
    const m = inference.model;
    return {
      installed: m ? { id: m.id, version: m.version, sha256: m.sha256, securityVersion: m.manifest.securityVersion } : null,
      candidate: null,
      phase: 'idle',
      progress: null,
      jobId: null,
    };
  };
  const examOnDisplay = (): boolean => screening.view().phase !== 'idle';
  const logLevel = new TemporaryLogLevel(logger, config.log.level);
  const restarts = new RestartRequests({ bus, clock, examRunning: () => screening.view().phase === 'scanning', logger: log('daemon') });
  const selftest: DaemonSelfTest = new DaemonSelfTest({
    config,
    live: {
      capture: () => capture.stats(),
      display: () => displayHealth(display),
      broker: (): HealthCheck => telemetry.health(),
      examRunning: () => screening.view().phase === 'scanning',
    },
  });
  const telemetry: TelemetryService = new TelemetryService({
    config,
    bus,
    logger: log('telemetry'),
    store: examStore,
    version: VERSION,
    view: {
      health: () => healthBody(health.checks()),
      model: () => {
        const m = inference.model;
        return m ? { id: m.id, version: m.version, sha256: m.sha256, provider: m.provider } : null;
      },
      metrics: () => {
        const c = capture.stats();
        const p = screening.counters();
        const p95 = p.p95Ms;
        return {
          fps: c.fps,
          framesDropped: c.framesDropped,
          inferenceStride: p.stride,
          latencyMs: p95 === null ? null : { p50: p95, p95, p99: p95 },
          eventLoopLagMs: eventLoop.snapshot(false).p99Ms,
        };
      },
      config: () => redactConfig(config),
      modelState: () => {
        if (!modelState) return initialModelState();
        // The bus event carries its monotonic `at`; the wire payload has the envelope's sentAt instead.
        const { at: _at, ...body } = modelState;
        return body;
      },
      commands: {
        setLogLevel: (level, durationS) => logLevel.set(level, durationS),
        restart: (args) => restarts.request(args.reason ?? 'remote restart command', args.delayMs ?? 0),
        selftest: (args) => selftest.run(args.checks),
        displayTest: async (args) => {
          const shown = await presenter.playTestPages(testPages().map((p) => p.state), args.durationMs ?? 3000, examOnDisplay);
          return { pages: shown.shown, interrupted: shown.interrupted };
        },
        rollback: (args) => fleet.agent.rollback(args),
      },
    },
  });
  const fleet = createFleetParts({
    config,
    engine,
    bus,
    clock,
    logger: log('fleet'),
    telemetry: () => telemetry,
    examRunning: () => screening.view().phase !== 'idle',
    inferenceHealthy: () => inference.health().status !== 'failed',
  });
  let starting = true;
  const presenter = new DisplayPresenter({
    display,
    read: () => {
      const model = inference.model;
      return displayInputFrom({
        version: VERSION,
        starting,
        view: screening.view(),
        capture: capture.stats(),
        checks: health.checks(),
        model: model ? { id: model.id, version: model.version } : null,
        modelError: inference.error ? inference.error.code : null,
        update: fleet.agent.updateProgress(),
      });
    },
  });
  const apiLog = log('api');
  const app = buildApiApp({
    logger: apiLog,
    ...apiSecurityFrom(config.api),
    dashboardDir: join(PROJECT_ROOT, 'web', 'dashboard'),
    events: { maxClients: config.api.maxEventClients },
    view: {
      version: VERSION,
      deviceId: config.device.id,
      now: () => clock.now(),
      health,
      metrics,
      exam: () => screening.view(),
      capture: () => capture.stats(),
      pipeline: () => screening.counters(),
      temperatures: () => temperaturesOf(deviceHealth.snapshot()),
      eventLoopLagMs: () => eventLoop.snapshot(false).p99Ms,
      model: () => inference.model,
      modelError: () => (inference.error ? `${inference.error.code}: ${inference.error.message}` : null),
      exams: examStore,
      frames: screening,
      display: displayViewOf(display),
      selftest,
      bus,
    },
  });
  const api = new ApiServer({ app, host: config.api.host, port: config.api.port, logger: log('api') });

  const lifecycleLog = log('daemon');
  const watchdog =
    deps.notifier?.watchdogIntervalMs != null
      ? new Watchdog({
          notifier: deps.notifier,
          clock,
          logger: log('watchdog'),
          progress: () => {
            const c = capture.stats();
            return { framesCaptured: c.framesCaptured, captureLoopTicks: c.loopTicks, signal: c.signal, ...screening.progress() };
          },
        })
      : null;
  const parts = new LifecycleGroup([restarts, records, eventLoop, display, presenter, ...(tegrastats ? [tegrastats] : []), deviceHealth, telemetry, fleet.recovery, inference, ...fleet.parts, capture, screening, consumer, api, ...(watchdog ? [watchdog] : [])], {
    report: (event, part, tookMs) => {
      lifecycleLog.debug({ part, tookMs: Math.round(tookMs) }, `${part} ${event}`);
      bus.emit(event === 'started' ? 'partStarted' : 'partStopped', { part, tookMs });
    },
    onStopError: (part, error) => lifecycleLog.error({ err: error, part }, 'part failed to stop cleanly'),
  });

  bus.on('signalChanged', (e) => log('capture').info({ source: e.source, state: e.state, previous: e.previous, reason: e.reason }, `signal ${e.state}`));
  bus.on('roiChanged', (e) => log('capture').info({ roi: e.roi, method: e.method }, 'region of interest set'));
  bus.on('sourceDisconnected', (e) =>
    log('capture').warn({ source: e.source, reason: e.reason, attempt: e.attempt, retryInMs: e.retryInMs }, 'capture source disconnected'),
  );
  bus.on('healthChanged', (e) => {
    const level = e.status === 'ok' ? 'info' : 'warn';
    log('health')[level]({ part: e.part, status: e.status, previous: e.previous, reason: e.reason }, `${e.part} ${e.status}: ${e.reason}`);
  });
  bus.on('throttlingChanged', (e) => log('health')[e.throttled ? 'warn' : 'info']({ reason: e.reason }, e.throttled ? 'thermal throttling' : 'throttling over'));
  bus.on('sourceConnected', (e) => log('capture').info({ source: e.source, attempt: e.attempt }, 'capture source connected'));

  let stopped = false;
  return {
    bus,
    metrics,
    app,
    capture,
    inference,
    screening,
    store: examStore,
    eventLoop,
    health: deviceHealth,
    display,
    telemetry,
    async start(signal) {
      lifecycleLog.info({ version: VERSION, device: config.device.id, source: config.capture.source }, 'starting');
      await parts.start(signal);
      starting = false;
      presenter.refresh();
      lifecycleLog.info({ api: api.address }, 'started');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      lifecycleLog.info('stopping');
      await parts.stop();
      lifecycleLog.info('stopped');
    },
    apiAddress: () => api.address,
  };
}
