import type { CaptureStats } from '../capture/capture-stats.js';
import type { EventBus } from '../core/event-bus.js';
import type { PreparedModel } from '../infer/engine/engine.js';
import type { PipelineCounters } from '../pipeline/pipeline-metrics.js';
import type { FrameResult, FrameSnapshot } from '../pipeline/screening-pipeline.js';
import type { ExamStore } from '../records/exam-store.js';
import type { ExamView } from '../screening/index.js';
import type { MetricsRegistry } from '../telemetry/metrics.js';
import type { DisplayView } from './display-view.js';
import type { HealthView } from './health.js';
import type { SelfTestReport } from '../selftest/check.js';

/** One temperature sensor as the dashboard shows it. */
export interface Temperature {
  readonly source: string;
  readonly tempC: number;
}

/**
 * What the API asks of the daemon: narrow read-only views the composition root builds from its parts, and that
 * route tests build from fakes. The API never reaches into a part beyond these.
 */
export interface ApiView {
  readonly version: string;
  readonly deviceId: string;
  /** Monotonic ms (the daemon's clock), to turn exam times into elapsed times. */
  readonly now: () => number;
  readonly health: HealthView;
  readonly metrics: MetricsRegistry;
  readonly exam: () => ExamView;
  readonly capture: () => CaptureStats;
  readonly pipeline: () => PipelineCounters;
  readonly temperatures: () => readonly Temperature[];
  readonly eventLoopLagMs: () => number | null;
  readonly model: () => PreparedModel | null;
  /** Why no model serves (a refused package), or null. */
  readonly modelError: () => string | null;
  readonly exams: Pick<ExamStore, 'list' | 'get' | 'stats'>;
  readonly frames: {
    latestSnapshot(): FrameSnapshot | null;
    onFrame(listener: (result: FrameResult) => void): () => void;
  };
  readonly display: DisplayView;
  /** The daemon's self-test (one at a time, refused during an exam: MYO_ERR_SELFTEST_RUNNING). */
  readonly selftest: { run(names?: readonly string[]): Promise<SelfTestReport>; readonly running: boolean };
  readonly bus: Pick<EventBus, 'on'>;
}
