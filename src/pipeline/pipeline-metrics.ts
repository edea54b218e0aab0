import type { Histogram } from 'prom-client';
import { counterFromTotal, type MetricsRegistry } from '../telemetry/metrics.js';
import type { StageDurations } from './frame-timings.js';

/** Buckets in seconds, dense around the few-millisecond range the budget lives in. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.033, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface PipelineCounters {
  readonly framesSeen: number;
  readonly inferred: number;
  readonly skippedForBudget: number;
  readonly rejected: number;
  readonly inferenceFailed: number;
  readonly rejectedBy: Readonly<Record<string, number>>;
  readonly examsByDecision: Readonly<Record<string, number>>;
  readonly stride: number;
  readonly budgetMs: number;
  readonly p95Ms: number | null;
  readonly phase: string;
}

export interface EngineCounters {
  readonly runs: number;
  readonly failures: number;
  readonly timeouts: number;
  readonly restarts: number;
}

/**
 * The per-frame path's instruments: a histogram per stage and one for capture-to-decision (inferred frames: the
 * path the budget is about), counters read from the pipeline's plain totals at scrape time.
 */
export class PipelineMetrics {
  readonly #stage: Histogram<'stage'>;
  readonly #captureToDecision: Histogram;

  constructor(metrics: MetricsRegistry, read: () => PipelineCounters, engine: () => EngineCounters) {
    this.#stage = metrics.histogram('pipeline_stage_seconds', 'Time per stage of the per-frame path (inferred frames).', LATENCY_BUCKETS, {
      labelNames: ['stage'] as const,
    });
    this.#captureToDecision = metrics.histogram(
      'pipeline_capture_to_decision_seconds',
      'From the frame leaving the source to the screening state being updated with its score.',
      LATENCY_BUCKETS,
    );
    const labelledCounter = (name: string, help: string, label: string, totals: () => Readonly<Record<string, number>>): void => {
      const last = new Map<string, number>();
      metrics.counter(name, help, {
        labelNames: [label],
        collect() {
          for (const [value, total] of Object.entries(totals())) {
            const seen = last.get(value) ?? 0;
            if (total > seen) this.inc({ [label]: value }, total - seen);
            last.set(value, Math.max(seen, total));
          }
        },
      });
    };
    labelledCounter('pipeline_frames_total', 'Frames the pipeline took from the mailbox, by what happened to them.', 'outcome', () => {
      const c = read();
      return { inferred: c.inferred, skipped_for_budget: c.skippedForBudget, rejected: c.rejected, inference_failed: c.inferenceFailed };
    });
    labelledCounter('quality_rejections_total', 'Frames the quality gate kept out of the exam score, by reason.', 'reason', () => read().rejectedBy);
    labelledCounter('exams_total', 'Exams finished, by decision.', 'decision', () => read().examsByDecision);
    metrics.gauge('pipeline_inference_stride', 'Inference runs on every Nth frame; above 1 the pipeline is shedding load to hold its budget.', {
      collect() {
        this.set(read().stride);
      },
    });
    metrics.gauge('pipeline_budget_seconds', 'The capture-to-decision budget (pipeline.budgetMs).', {
      collect() {
        this.set(read().budgetMs / 1000);
      },
    });
    metrics.gauge('pipeline_capture_to_decision_p95_seconds', 'p95 of capture-to-decision over the budget window.', {
      collect() {
        this.set((read().p95Ms ?? 0) / 1000);
      },
    });
    metrics.gauge('exam_phase', 'The exam state machine phase (1 for the current phase).', {
      labelNames: ['phase'] as const,
      collect() {
        const phase = read().phase;
        for (const p of ['idle', 'scanning', 'result']) this.set({ phase: p }, p === phase ? 1 : 0);
      },
    });
    const engineCounters: [string, string, (s: EngineCounters) => number][] = [
      ['inference_runs_total', 'Inference runs that returned.', (s) => s.runs],
      ['inference_failures_total', 'Inference runs that failed or hung.', (s) => s.failures],
      ['inference_timeouts_total', 'Inference runs that hung past inference.hardTimeoutMs.', (s) => s.timeouts],
      ['inference_worker_restarts_total', 'Times the inference worker was replaced.', (s) => s.restarts],
    ];
    for (const [name, help, pick] of engineCounters) {
      metrics.counter(name, help, { collect: counterFromTotal(() => pick(engine())) });
    }
  }

  observe(d: StageDurations, runtimeMs: number | null): void {
    this.#stage.observe({ stage: 'mailbox' }, d.mailbox / 1000);
    if (d.preprocess !== null) this.#stage.observe({ stage: 'preprocess' }, d.preprocess / 1000);
    if (d.inference !== null) this.#stage.observe({ stage: 'inference' }, d.inference / 1000);
    if (runtimeMs !== null) this.#stage.observe({ stage: 'session_run' }, runtimeMs / 1000);
    this.#stage.observe({ stage: 'decision' }, d.decision / 1000);
    this.#captureToDecision.observe(d.captureToDecision / 1000);
  }
}
