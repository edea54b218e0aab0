import { buildApiApp, type ApiApp } from './api/app.js';
import { ApiServer } from './api/api-server.js';
import type { HealthCheck } from './api/health.js';
import { CaptureService } from './capture/capture-service.js';
import { createFrameSource } from './capture/create-source.js';
import type { FrameSource } from './capture/frame-source.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Config } from './core/config/index.js';
import { EventBus } from './core/event-bus.js';
import { LifecycleGroup } from './core/lifecycle.js';
import { componentLogger, type Logger } from './core/logger.js';
import { VERSION } from './core/version.js';
import { captureHealth } from './device/capture-health.js';
import { FrameConsumer } from './pipeline/frame-consumer.js';
import { registerCaptureMetrics } from './telemetry/capture-metrics.js';
import { counterFromTotal, MetricsRegistry } from './telemetry/metrics.js';

export interface DaemonDeps {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Tests swap the frame source; production builds it from `config.capture`. */
  readonly createSource?: (config: Config['capture'], deps: { bus: EventBus; clock: Clock; logger: Logger }) => FrameSource;
}

export interface Daemon {
  readonly bus: EventBus;
  readonly metrics: MetricsRegistry;
  readonly app: ApiApp;
  readonly capture: CaptureService;
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

  // Until the screening pipeline lands, the consumer measures how long frames wait in the mailbox: the first
  // stage of the capture-to-decision latency the budget is about.
  const mailboxWait = metrics.histogram('pipeline_mailbox_wait_seconds', 'Time a frame waited in the mailbox.', [
    0.001, 0.0025, 0.005, 0.01, 0.02, 0.033, 0.05, 0.1, 0.25,
  ]);
  const consumer = new FrameConsumer({
    name: 'pipeline',
    source: capture.mailbox,
    logger: log('pipeline'),
    handle: (item) => {
      mailboxWait.observe(Math.max(0, clock.now() - item.frame.capturedAt) / 1000);
    },
  });
  metrics.counter('pipeline_frames_total', 'Frames taken from the mailbox by the pipeline.', {
    collect: counterFromTotal(() => consumer.stats().handled),
  });

  const health = {
    checks: (): Record<string, HealthCheck> => ({ capture: captureHealth(capture.stats()) }),
  };
  const app = buildApiApp({ logger: log('api'), health, metrics, version: VERSION });
  const api = new ApiServer({ app, host: config.api.host, port: config.api.port, logger: log('api') });

  const lifecycleLog = log('daemon');
  const parts = new LifecycleGroup([capture, consumer, api], {
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
  bus.on('sourceConnected', (e) => log('capture').info({ source: e.source, attempt: e.attempt }, 'capture source connected'));

  let stopped = false;
  return {
    bus,
    metrics,
    app,
    capture,
    async start(signal) {
      lifecycleLog.info({ version: VERSION, device: config.device.id, source: config.capture.source }, 'starting');
      await parts.start(signal);
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
