import { pino } from 'pino';
import type { CaptureStats } from '../../src/capture/capture-stats.js';
import { EventBus } from '../../src/core/event-bus.js';
import { emptyDisplayStats } from '../../src/device/display/status-display.js';
import type { ApiView } from '../../src/api/api-view.js';
import { buildApiApp, type ApiDeps } from '../../src/api/app.js';
import type { ApiAuthSettings } from '../../src/api/auth.js';
import type { HealthCheck } from '../../src/api/health.js';
import type { FrameResult, FrameSnapshot } from '../../src/pipeline/screening-pipeline.js';
import { MemoryExamStore } from '../../src/records/memory-exam-store.js';
import type { ExamView } from '../../src/screening/index.js';
import type { SelfTestReport } from '../../src/selftest/check.js';
import { MetricsRegistry } from '../../src/telemetry/metrics.js';

/** A settable fake of everything the API reads from the daemon. */
export interface FakeParts {
  checks: Record<string, HealthCheck>;
  exam: ExamView;
  capture: CaptureStats;
  snapshot: FrameSnapshot | null;
  now: number;
  selftest: { run: (names?: readonly string[]) => Promise<SelfTestReport>; running: boolean };
  readonly store: MemoryExamStore;
  readonly bus: EventBus;
  readonly frameListeners: Set<(result: FrameResult) => void>;
}

export function fakeParts(): FakeParts {
  return {
    checks: { capture: { status: 'ok', reason: 'live at 30.0 fps', critical: true } },
    exam: { phase: 'idle' },
    capture: { framesCaptured: 100, framesDropped: 3, fps: 29.94, signal: 'ok', roi: { x: 10, y: 20, width: 300, height: 200 }, width: 640, height: 360, sourceConnected: true, loopTicks: 5 },
    snapshot: null,
    now: 10_000,
    selftest: {
      run: async () => ({ ok: true, startedAt: new Date().toISOString(), checks: [{ name: 'clock', outcome: 'pass', detail: 'fine', tookMs: 50 }] }),
      running: false,
    },
    store: new MemoryExamStore(),
    bus: new EventBus(),
    frameListeners: new Set(),
  };
}

export function viewOf(parts: FakeParts): ApiView {
  const metrics = new MetricsRegistry({ processMetrics: false, defaultLabels: { device: 'cart-1' } });
  metrics.gauge('capture_fps', 'fps', {
    collect() {
      this.set(29.5);
    },
  });
  return {
    version: '1.2.3',
    deviceId: 'cart-1',
    now: () => parts.now,
    health: { checks: () => parts.checks },
    metrics,
    exam: () => parts.exam,
    capture: () => parts.capture,
    pipeline: () => ({ framesSeen: 90, inferred: 80, skippedForBudget: 0, rejected: 10, inferenceFailed: 0, rejectedBy: {}, examsByDecision: {}, stride: 1, budgetMs: 33.3, p95Ms: 12, phase: parts.exam.phase }),
    temperatures: () => [{ source: 'cpu-thermal', tempC: 51.5 }],
    eventLoopLagMs: () => 1.5,
    model: () => null,
    modelError: () => null,
    exams: parts.store,
    frames: {
      latestSnapshot: () => parts.snapshot,
      onFrame: (listener) => {
        parts.frameListeners.add(listener);
        return () => parts.frameListeners.delete(listener);
      },
    },
    display: { kind: 'serial', stats: () => ({ ...emptyDisplayStats(), connected: true }), screen: () => null, png: () => null },
    selftest: {
      run: (names) => parts.selftest.run(names),
      get running() {
        return parts.selftest.running;
      },
    },
    bus: parts.bus,
  };
}

export const OPEN_AUTH: ApiAuthSettings = { tokens: [], publicRoutes: new Set(['/livez', '/readyz', '/metrics']), maxFailures: 3, windowMs: 60_000, blockMs: 60_000, open: true };

export function appFor(parts: FakeParts, overrides: Partial<ApiDeps> = {}) {
  return buildApiApp({ logger: pino({ level: 'silent' }), view: viewOf(parts), auth: OPEN_AUTH, ...overrides });
}
