import type { Static } from '@sinclair/typebox';
import type { PreparedModel } from '../infer/engine/engine.js';
import type { ExamView } from '../screening/index.js';
import type { ApiView } from './api-view.js';
import { healthBody } from './health-body.js';
import type { LatencyWindow } from './latency-window.js';
import type { ExamStateSchema, ModelInfoSchema, StatusSchema } from './schemas.js';

export type ExamState = Static<typeof ExamStateSchema>;
export type ModelInfo = Static<typeof ModelInfoSchema>;
export type StatusBody = Static<typeof StatusSchema>;

/** The exam machine's view as the dashboard reads it: one flat shape, monotonic times turned into elapsed ms. */
export function examState(view: ExamView, now: number): ExamState {
  const empty = { examId: null, cause: null, elapsedMs: null, framesSeen: null, usableFrames: null, liveScore: null, warmingUp: null, decision: null, reason: null, score: null };
  switch (view.phase) {
    case 'idle':
      return { phase: 'idle', ...empty };
    case 'scanning':
      return {
        ...empty,
        phase: 'scanning',
        examId: view.examId,
        cause: view.cause,
        elapsedMs: Math.max(0, Math.round(now - view.startedAt)),
        framesSeen: view.framesSeen,
        usableFrames: view.usableFrames,
        liveScore: view.liveScore,
        warmingUp: view.warmingUp,
      };
    case 'result':
      return {
        ...empty,
        phase: 'result',
        examId: view.examId,
        elapsedMs: Math.max(0, Math.round(now - view.endedAt)),
        decision: view.decision,
        reason: view.reason,
        score: view.score,
      };
  }
}

export function modelInfo(model: PreparedModel | null): ModelInfo | null {
  if (!model) return null;
  return {
    id: model.id,
    version: model.version,
    sha256: model.sha256,
    provider: model.provider,
    threshold: model.manifest.operatingPoint.threshold,
    loadMs: Math.round(model.loadMs),
  };
}

/** Everything the dashboard's first paint needs, in one document (`/api/v1/status`, and the SSE `hello`). */
export function statusBody(view: ApiView, latency: LatencyWindow, startedAt: number): StatusBody {
  const now = view.now();
  const capture = view.capture();
  const pipeline = view.pipeline();
  const stats = view.exams.stats();
  return {
    version: view.version,
    deviceId: view.deviceId,
    uptimeS: Math.round((now - startedAt) / 100) / 10,
    health: healthBody(view.health.checks()),
    exam: examState(view.exam(), now),
    capture: {
      fps: Math.round(capture.fps * 10) / 10,
      framesCaptured: capture.framesCaptured,
      framesDropped: capture.framesDropped,
      signal: capture.signal,
      sourceConnected: capture.sourceConnected,
      width: capture.width,
      height: capture.height,
      roi: capture.roi,
    },
    pipeline: {
      stride: pipeline.stride,
      budgetMs: pipeline.budgetMs,
      framesSeen: pipeline.framesSeen,
      inferred: pipeline.inferred,
      rejected: pipeline.rejected,
      latencyMs: latency.percentiles(),
      eventLoopLagMs: view.eventLoopLagMs(),
    },
    model: modelInfo(view.model()),
    modelError: view.modelError(),
    temperatures: [...view.temperatures()],
    exams: { total: stats.total, byDecision: { ...stats.byDecision }, lastEndedAt: stats.lastEndedAt },
  };
}
