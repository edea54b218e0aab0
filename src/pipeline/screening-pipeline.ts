import type { HealthCheck } from '../api/health.js';
import type { CapturedFrame } from '../capture/capture-service.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../core/config/index.js';
import { isMyoError } from '../core/errors.js';
import type { EventBus } from '../core/event-bus.js';
import type { Frame, Rect, SignalState } from '../core/frame.js';
import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';
import type { EngineResult, InferenceEngine, PreparedModel } from '../infer/engine/engine.js';
import { positiveLabelIndex, positiveProbability } from '../infer/postprocess.js';
import { Preprocessor } from '../infer/preprocess.js';
import type { ExamRecord } from '../records/exam-record.js';
import type { ExamStore } from '../records/exam-store.js';
import {
  ExamMachine,
  judgeFrame,
  measureFrame,
  REJECT_REASONS,
  type ExamInput,
  type ExamOutcome,
  type ExamStep,
  type ExamView,
  type FrameFeatures,
  type FrameVerdict,
  type RejectReason,
  isLiveSignal,
} from '../screening/index.js';
import type { MetricsRegistry } from '../telemetry/metrics.js';
import { BudgetGovernor } from './budget-governor.js';
import { stageDurations, type FrameTimings } from './frame-timings.js';
import { PipelineMetrics, type PipelineCounters } from './pipeline-metrics.js';

/** No run answered for this long: the pipeline sends an idle probe run (the watchdog's proof of life). */
const PROBE_AFTER_MS = 2000;

/** What the pipeline made of one frame: for the dashboard, the benchmark and tests. */
export interface FrameResult {
  readonly seq: number;
  readonly timings: FrameTimings;
  readonly features: FrameFeatures;
  readonly verdict: FrameVerdict;
  /** p(invasion), or null when the frame was not inferred. */
  readonly probability: number | null;
  /** The model's attention map (flattened, `attentionShape`), when inferred. */
  readonly attention: Float32Array | null;
  readonly skippedForBudget: boolean;
  readonly view: ExamView;
}

/** The latest inferred usable frame as the model saw it (ROI resampled to the input size) with its attention map. */
export interface FrameSnapshot {
  readonly seq: number;
  readonly width: number;
  readonly height: number;
  readonly gray: Uint8Array;
  readonly attention: { readonly width: number; readonly height: number; readonly values: Float32Array } | null;
  readonly score: number;
  /** Monotonic ms of the decision on this frame. */
  readonly at: number;
}

export interface ScreeningPipelineDeps {
  readonly config: Readonly<Pick<Config, 'screening' | 'pipeline'>> & { readonly capture: { readonly fps: number } };
  readonly engine: InferenceEngine;
  readonly store: ExamStore;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  readonly daemonVersion: string;
  readonly newExamId: () => string;
  /** How often timeouts are checked when no frames arrive (default 250 ms). */
  readonly tickMs?: number | undefined;
}

interface ModelContext {
  readonly model: PreparedModel;
  readonly preprocessor: Preprocessor;
  readonly positiveIndex: number;
  readonly machine: ExamMachine;
}

/**
 * The per-frame path after capture (ARCHITECTURE section 4): quality gate, preprocessing, inference in the worker,
 * the exam state machine, the budget, and one durable record per exam. It is the FrameConsumer's handler, so one
 * frame is in flight at a time and newer frames replace each other in the mailbox meanwhile.
 *
 * Model swaps only happen between exams: the exam machine (which holds the operating point) is rebuilt for a new
 * model only while idle; an exam finishes on the model it started with.
 */
export class ScreeningPipeline implements Lifecycle {
  readonly name = 'screening';
  readonly #deps: ScreeningPipelineDeps;
  readonly #governor: BudgetGovernor;
  readonly #budgetMs: number;
  readonly #metrics: PipelineMetrics;
  readonly #listeners = new Set<(result: FrameResult) => void>();
  #context: ModelContext | null = null;
  #timer: NodeJS.Timeout | null = null;
  #offBus: (() => void)[] = [];
  #view: ExamView = { phase: 'idle' };
  #lastSignal: SignalState = 'ok';
  #lastResult: FrameResult | null = null;
  #counters = {
    framesSeen: 0,
    inferred: 0,
    skippedForBudget: 0,
    rejected: 0,
    inferenceFailed: 0,
    rejectedBy: Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>,
    examsByDecision: { refer: 0, no_invasion: 0, inconclusive: 0 } as Record<string, number>,
  };
  #storeFailures = 0;
  /** Monotonic time the run in flight was sent (frame or probe), null when none is. */
  #inFlightSince: number | null = null;
  #lastRunAnsweredAt: number | null = null;
  #probe: Promise<void> | null = null;
  #probeRuns = 0;
  /** Runs the engine answered (a result, or an error from inside the runtime): it is alive. */
  #answered = 0;
  #probeInput: Float32Array | null = null;
  /** The latest inferred usable frame, held by reference (sources allocate each frame): copied only when asked. */
  #snapFrame: Frame | null = null;
  #snapRoi: Rect | null = null;
  #snapAttention: Float32Array | null = null;
  #snapScore = 0;
  #snapAt = 0;

  constructor(deps: ScreeningPipelineDeps) {
    this.#deps = deps;
    const { pipeline, capture } = deps.config;
    this.#budgetMs = pipeline.budgetMs > 0 ? pipeline.budgetMs : 1000 / capture.fps;
    this.#governor = new BudgetGovernor({ budgetMs: this.#budgetMs, window: pipeline.budgetWindow, maxStride: pipeline.maxStride });
    this.#metrics = new PipelineMetrics(deps.metrics, () => this.counters(), () => deps.engine.stats());
  }

  start(): Promise<void> {
    const { bus } = this.#deps;
    this.#offBus.push(
      bus.on('signalChanged', (e) => {
        this.#lastSignal = e.state;
        this.#step({ type: 'signal', at: e.at, state: e.state });
      }),
      bus.on('operatorAction', (e) => this.operator(e.action)),
    );
    this.#timer = setInterval(() => this.tick(), this.#deps.tickMs ?? 250);
    this.#timer.unref();
    return Promise.resolve();
  }

  /** Lets timeouts fire when no frames arrive (no signal); the pipeline's own timer calls it a few times a second. */
  tick(): void {
    const now = this.#deps.clock.now();
    this.#step({ type: 'tick', at: now });
    this.#maybeProbe(now);
  }

  /**
   * When no frame has been inferred for a while (idle scanner, no signal), a probe run on a blank input shows the
   * engine still answers: the systemd watchdog needs inference progress that does not depend on a patient being
   * scanned. Never while a run is in flight.
   */
  #maybeProbe(now: number): void {
    const context = this.#context;
    if (!context || this.#probe || this.#inFlightSince !== null) return;
    // The clock starts at the first tick with a model, so a fresh daemon probes 2 s in if nothing was inferred.
    this.#lastRunAnsweredAt ??= now;
    if (now - this.#lastRunAnsweredAt < PROBE_AFTER_MS) return;
    const size = context.preprocessor.output.length;
    if (this.#probeInput?.length !== size) this.#probeInput = new Float32Array(size);
    const input = this.#probeInput;
    this.#inFlightSince = now;
    this.#probe = this.#deps.engine
      .run(input)
      .then(() => {
        this.#probeRuns += 1;
        this.#lastRunAnsweredAt = this.#deps.clock.now();
      })
      .catch((error: unknown) => {
        this.#deps.logger.warn({ err: error }, 'idle probe inference failed');
      })
      .finally(() => {
        this.#inFlightSince = null;
        this.#probe = null;
      });
  }

  /** What the watchdog samples: runs answered, probes, and how long the run in flight has waited. */
  progress(): { inferenceRuns: number; probeRuns: number; pendingRunSinceMs: number | null } {
    const since = this.#inFlightSince;
    return {
      inferenceRuns: this.#answered,
      probeRuns: this.#probeRuns,
      pendingRunSinceMs: since === null ? null : Math.max(0, this.#deps.clock.now() - since),
    };
  }

  /** Start, end or acknowledge from the cart display, the dashboard or a command. */
  operator(action: 'start' | 'end' | 'acknowledge'): ExamView {
    this.#step({ type: 'operator', at: this.#deps.clock.now(), action });
    return this.#view;
  }

  /** The FrameConsumer's handler. */
  async handle(item: CapturedFrame): Promise<void> {
    const { clock, engine, config } = this.#deps;
    const taken = clock.now();
    const { frame } = item;
    this.#counters.framesSeen += 1;
    if (this.#probe) await this.#probe;
    const context = this.#contextFor(engine.active());
    // The worker is started first and the quality gate measures the frame while it runs (2 cores: the gate costs
    // nothing on the path). Frames that cannot be usable whatever they show (signal not live, fan not found) are
    // not sent; a frame the gate rejects afterwards has its score dropped.
    const mayBeUsable = isLiveSignal(item.signal) && item.roiSettled;
    let preprocessed: number | null = null;
    let pending: Promise<EngineResult> | null = null;
    let skippedForBudget = false;
    if (context && mayBeUsable) {
      if (this.#governor.shouldInfer(frame.seq)) {
        const input = context.preprocessor.run(frame.data, frame.width, frame.height, item.roi);
        preprocessed = clock.now();
        this.#inFlightSince = preprocessed;
        pending = engine.run(input);
        // Handled below; this keeps a rejection from surfacing as unhandled while the gate runs.
        pending.catch(() => undefined);
      } else {
        skippedForBudget = true;
      }
    }
    const features = measureFrame(frame.data, frame.width, item.roi, config.screening.quality.darkLevel);
    const verdict = judgeFrame({ signal: item.signal, roiSettled: item.roiSettled, features }, config.screening.quality);
    let inferred: number | null = null;
    let runtimeMs: number | null = null;
    let probability: number | null = null;
    let attention: Float32Array | null = null;
    if (pending && context) {
      try {
        const result = await pending;
        inferred = clock.now();
        this.#lastRunAnsweredAt = inferred;
        this.#answered += 1;
        runtimeMs = result.runtimeMs;
        const logits = result.outputs.logits;
        if (!logits) throw new Error('the model returned no logits');
        if (verdict.usable) {
          probability = positiveProbability(logits, context.positiveIndex);
          attention = result.outputs.attention ?? null;
          this.#counters.inferred += 1;
        }
      } catch (error) {
        this.#counters.inferenceFailed += 1;
        // A run the engine answered with an error still shows the engine alive; a timeout or a restart does not.
        if (!isMyoError(error, 'MYO_ERR_ENGINE_TIMEOUT') && !isMyoError(error, 'MYO_ERR_ENGINE_UNAVAILABLE')) this.#answered += 1;
        if (this.#counters.inferenceFailed <= 5 || this.#counters.inferenceFailed % 500 === 0) {
          this.#deps.logger.warn({ err: error, code: isMyoError(error) ? error.code : undefined, failed: this.#counters.inferenceFailed }, 'inference failed for a frame');
        }
      }
    }
    this.#inFlightSince = null;
    if (!verdict.usable) {
      this.#counters.rejected += 1;
      this.#counters.rejectedBy[verdict.reason] += 1;
    } else if (skippedForBudget) {
      this.#counters.skippedForBudget += 1;
    }
    this.#step({ type: 'frame', at: clock.now(), verdict, probability });
    const decided = clock.now();
    const timings: FrameTimings = { captured: frame.capturedAt, taken, preprocessed, inferred, runtimeMs, decided };
    if (probability !== null) {
      const durations = stageDurations(timings);
      this.#metrics.observe(durations, runtimeMs);
      this.#recordLatency(durations.captureToDecision);
    }
    if (probability !== null) {
      this.#snapFrame = frame;
      this.#snapRoi = item.roi;
      this.#snapAttention = attention;
      this.#snapScore = probability;
      this.#snapAt = decided;
    }
    const result: FrameResult = { seq: frame.seq, timings, features, verdict, probability, attention, skippedForBudget, view: this.#view };
    this.#lastResult = result;
    for (const listener of this.#listeners) listener(result);
  }

  #recordLatency(ms: number): void {
    const change = this.#governor.record(ms);
    if (!change) return;
    const { bus, clock, logger } = this.#deps;
    const payload = { stride: change.stride, previous: change.previous, p95Ms: change.p95Ms, budgetMs: this.#budgetMs, at: clock.now() };
    if (change.stride > change.previous) {
      logger.warn(payload, `over budget: p95 ${change.p95Ms.toFixed(1)} ms > ${this.#budgetMs.toFixed(1)} ms, inferring every ${change.stride} frames`);
    } else {
      logger.info(payload, `back within budget: inferring every ${change.stride} frame(s)`);
    }
    bus.emit('inferenceRateChanged', payload);
  }

  /** The exam machine for the active model; rebuilt for a new model only between exams. */
  #contextFor(model: PreparedModel | null): ModelContext | null {
    const current = this.#context;
    if (!model) return current && current.machine.view.phase !== 'idle' ? current : null;
    if (current && (current.model.slot === model.slot || current.machine.view.phase !== 'idle')) return current;
    const { config, newExamId } = this.#deps;
    const [, , height, width] = model.manifest.input.shape;
    const input = model.manifest.input;
    const machine = new ExamMachine({
      autoStartAfterMs: config.screening.autoStartAfterMs,
      idleTimeoutMs: config.screening.idleTimeoutMs,
      resultHoldMs: config.screening.resultHoldMs,
      minUsableFrames: config.screening.minUsableFrames,
      minUsableFraction: config.screening.minUsableFraction,
      trimFraction: config.screening.trimFraction,
      threshold: model.manifest.operatingPoint.threshold,
      newExamId,
    });
    this.#context = {
      model,
      preprocessor: new Preprocessor({ size: Math.max(width, height), scale: input.scale, mean: input.mean, std: input.std }),
      positiveIndex: positiveLabelIndex(model.manifest),
      machine,
    };
    return this.#context;
  }

  #step(input: ExamInput): void {
    // Before the first frame the machine may not exist yet: an operator's start must still work.
    const context = this.#context ?? this.#contextFor(this.#deps.engine.active());
    if (!context) return;
    let step: ExamStep;
    try {
      step = context.machine.step(input);
    } catch (error) {
      this.#deps.logger.error({ err: error, input: input.type }, 'exam state machine failed');
      return;
    }
    this.#view = step.view;
    const { bus, logger } = this.#deps;
    if (step.started) {
      logger.info({ examId: step.started.examId, cause: step.started.cause }, 'exam started');
      bus.emit('examStarted', { examId: step.started.examId, cause: step.started.cause, at: step.started.at });
    }
    if (step.ended) this.#finish(step.ended, context.model);
  }

  #finish(outcome: ExamOutcome, model: PreparedModel): void {
    const { clock, store, bus, logger, daemonVersion } = this.#deps;
    const nowMono = clock.now();
    const nowWall = clock.wallNow();
    const wall = (at: number): string => new Date(nowWall - (nowMono - at)).toISOString();
    const record: ExamRecord = {
      id: outcome.examId,
      startedAt: wall(outcome.startedAt),
      endedAt: wall(outcome.endedAt),
      durationMs: Math.max(0, Math.round(outcome.endedAt - outcome.startedAt)),
      startedBy: outcome.startedBy,
      endedBy: outcome.endedBy,
      frames: { seen: outcome.framesSeen, inferred: outcome.framesInferred, usable: outcome.usableFrames, rejected: { ...outcome.rejected } },
      score: outcome.score,
      decision: outcome.decision,
      reason: outcome.reason,
      detail: outcome.detail,
      threshold: outcome.threshold,
      model: { id: model.id, version: model.version, sha256: model.sha256 },
      provider: model.provider,
      daemonVersion,
    };
    try {
      store.save(record);
    } catch (error) {
      // The decision still goes to the display and the bus; the technician sees the storage fault in health.
      this.#storeFailures += 1;
      logger.error({ err: error, examId: record.id }, 'exam record could not be stored');
    }
    this.#counters.examsByDecision[record.decision] = (this.#counters.examsByDecision[record.decision] ?? 0) + 1;
    logger.info(
      {
        examId: record.id,
        decision: record.decision,
        reason: record.reason,
        score: record.score,
        frames: record.frames,
        durationMs: record.durationMs,
        endedBy: record.endedBy,
        model: `${model.id} ${model.version}`,
      },
      `exam ${record.id}: ${record.decision}${record.reason ? ` (${record.reason})` : ''} - ${record.detail}`,
    );
    bus.emit('examEnded', {
      examId: record.id,
      decision: record.decision,
      reason: record.reason,
      score: record.score,
      cause: record.endedBy,
      at: outcome.endedAt,
    });
  }

  /** Subscribes to every frame's result; returns the unsubscribe function. */
  onFrame(listener: (result: FrameResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  view(): ExamView {
    return this.#view;
  }

  /**
   * A copy of the latest inferred usable frame: its ROI resampled (nearest) to the model's input size, and the
   * attention map with its shape from the manifest. Null before the first one. For the dashboard, not the frame path.
   */
  latestSnapshot(): FrameSnapshot | null {
    const frame = this.#snapFrame;
    const roi = this.#snapRoi;
    const context = this.#context;
    if (!frame || !roi || !context) return null;
    const size = context.preprocessor.spec.size;
    const gray = new Uint8Array(size * size);
    for (let y = 0; y < size; y += 1) {
      const row = (roi.y + Math.min(roi.height - 1, Math.floor(((y + 0.5) * roi.height) / size))) * frame.width + roi.x;
      for (let x = 0; x < size; x += 1) gray[y * size + x] = frame.data[row + Math.min(roi.width - 1, Math.floor(((x + 0.5) * roi.width) / size))] ?? 0;
    }
    const shape = context.model.manifest.outputs.find((o) => o.name === 'attention')?.shape ?? [];
    const [aw, ah] = [shape[shape.length - 1] ?? 0, shape[shape.length - 2] ?? 0];
    const values = this.#snapAttention;
    const attention = values && aw * ah === values.length ? { width: aw, height: ah, values: values.slice() } : null;
    return { seq: frame.seq, width: size, height: size, gray, attention, score: this.#snapScore, at: this.#snapAt };
  }

  lastResult(): FrameResult | null {
    return this.#lastResult;
  }

  counters(): PipelineCounters {
    return {
      ...this.#counters,
      rejectedBy: { ...this.#counters.rejectedBy },
      examsByDecision: { ...this.#counters.examsByDecision },
      stride: this.#governor.stride,
      budgetMs: this.#budgetMs,
      p95Ms: this.#governor.p95Ms,
      phase: this.#view.phase,
    };
  }

  health(): HealthCheck {
    if (this.#storeFailures > 0) return { status: 'failed', reason: `${this.#storeFailures} exam record(s) could not be stored`, critical: true };
    if (this.#governor.stride > 1) {
      return {
        status: 'degraded',
        reason: `over budget (p95 ${(this.#governor.p95Ms ?? 0).toFixed(1)} ms > ${this.#budgetMs.toFixed(1)} ms): inferring every ${this.#governor.stride} frames`,
        critical: false,
      };
    }
    return { status: 'ok', reason: `within budget (${this.#budgetMs.toFixed(1)} ms), signal ${this.#lastSignal}`, critical: false };
  }

  stop(): Promise<void> {
    for (const off of this.#offBus) off();
    this.#offBus = [];
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    // An exam still running is closed as interrupted so its record is on disk before the process ends.
    this.#step({ type: 'shutdown', at: this.#deps.clock.now() });
    return Promise.resolve();
  }
}
