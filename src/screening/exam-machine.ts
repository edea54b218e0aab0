import { MyoError } from '../core/errors.js';
import type { SignalState } from '../core/frame.js';
import { decideExam } from './decision.js';
import { LiveTracker } from './live-tracker.js';
import type { FrameVerdict } from './quality-gate.js';
import { RunningExam } from './running-exam.js';
import { ScoreAggregator } from './score-aggregator.js';
import type { Decision, ExamEndCause, ExamStartCause, InconclusiveReason, RejectReason } from './types.js';

export interface ExamMachineOptions {
  /** Live ultrasound must be on screen this long before an exam starts by itself. */
  readonly autoStartAfterMs: number;
  /** An exam ends by itself after this long without a live frame. */
  readonly idleTimeoutMs: number;
  /** How long a result stays before the machine goes back to idle. */
  readonly resultHoldMs: number;
  readonly minUsableFrames: number;
  readonly minUsableFraction: number;
  readonly trimFraction: number;
  /** The model's operating threshold: score >= threshold refers. */
  readonly threshold: number;
  readonly newExamId: () => string;
}

export type ExamInput =
  /** probability null = not inferred (skipped for budget, or rejected before inference). */
  | { readonly type: 'frame'; readonly at: number; readonly verdict: FrameVerdict; readonly probability: number | null }
  /** From the capture bus: no frames arrive during no_signal, so loss comes as an event. */
  | { readonly type: 'signal'; readonly at: number; readonly state: SignalState }
  | { readonly type: 'operator'; readonly at: number; readonly action: 'start' | 'end' | 'acknowledge' }
  /** The pipeline ticks ~4 Hz so timeouts fire without frames. */
  | { readonly type: 'tick'; readonly at: number }
  | { readonly type: 'shutdown'; readonly at: number };

export type ExamView =
  | { readonly phase: 'idle' }
  | {
      readonly phase: 'scanning';
      readonly examId: string;
      readonly startedAt: number;
      readonly cause: ExamStartCause;
      readonly framesSeen: number;
      readonly usableFrames: number;
      readonly liveScore: number | null;
      /** Fewer scored usable frames than minUsableFrames so far: the live score means little yet. */
      readonly warmingUp: boolean;
    }
  | {
      readonly phase: 'result';
      readonly examId: string;
      readonly decision: Decision;
      readonly reason: InconclusiveReason | null;
      readonly score: number | null;
      readonly endedAt: number;
    };

/**
 * One ended exam, emitted exactly once. The counts are what the decision saw: `framesSeen` and `rejected` leave
 * out the `trailingFrames` (not-live frames after the last live one), so framesSeen = usableFrames + sum(rejected).
 */
export interface ExamOutcome {
  readonly examId: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly startedBy: ExamStartCause;
  readonly endedBy: ExamEndCause;
  readonly framesSeen: number;
  /** Frames that ran inference, the trailing ones included (a cost figure, not evidence). */
  readonly framesInferred: number;
  readonly usableFrames: number;
  /** Usable frames with a probability: the ones in the score. */
  readonly scoredFrames: number;
  readonly trailingFrames: number;
  readonly rejected: Readonly<Record<RejectReason, number>>;
  readonly score: number | null;
  readonly decision: Decision;
  readonly reason: InconclusiveReason | null;
  readonly detail: string;
  readonly threshold: number;
}

export interface ExamStep {
  readonly view: ExamView;
  readonly started: { readonly examId: string; readonly cause: ExamStartCause; readonly at: number } | null;
  readonly ended: ExamOutcome | null;
}

const IDLE: ExamView = { phase: 'idle' };

/**
 * The exam lifecycle: idle -> scanning -> result -> idle (ARCHITECTURE). Pure: every input carries its monotonic
 * time `at`; a time earlier than one already seen counts as no time passed. Exams start by themselves after
 * `autoStartAfterMs` of live ultrasound or at the operator's word, end at the operator's word, after
 * `idleTimeoutMs` without live ultrasound, at signal loss or at shutdown, and each ended exam is reported once.
 *
 * Auto start is armed after an exam that ended by itself (idle timeout, signal loss), so back-to-back exams start
 * even while the previous result is shown. After an operator end (or shutdown) it stays disarmed until live
 * ultrasound has been gone for `autoStartAfterMs`: the image still on screen must not open a new exam at once.
 */
export class ExamMachine {
  readonly #opts: ExamMachineOptions;
  readonly #live: LiveTracker;
  readonly #scores: ScoreAggregator;
  #now: number | null = null;
  #exam: RunningExam | null = null;
  #view: ExamView = IDLE;
  #armed = true;

  constructor(opts: ExamMachineOptions) {
    checkOptions(opts);
    this.#opts = opts;
    this.#scores = new ScoreAggregator({ trimFraction: opts.trimFraction });
    this.#live = new LiveTracker({ maxGapMs: opts.idleTimeoutMs });
  }

  get view(): ExamView {
    return this.#view;
  }

  step(input: ExamInput): ExamStep {
    if (input.type === 'frame') checkProbability(input.probability);
    const at = this.#advance(input.at);
    // Re-arm on the quiet spell up to now, measured before this input: a live frame ends the spell it measures.
    this.#live.tick(at);
    if (!this.#armed && !this.#live.isLive && this.#live.notLiveForMs(at) >= this.#opts.autoStartAfterMs) {
      this.#armed = true;
    }
    this.#observe(input, at);
    if (this.#view.phase === 'result' && at - this.#view.endedAt >= this.#opts.resultHoldMs) this.#view = IDLE;
    return this.#exam === null ? this.#stepWaiting(input, at) : this.#stepScanning(this.#exam, input, at);
  }

  /** Idle or showing a result: only a start (operator, or auto on live frames) or an acknowledge matters. */
  #stepWaiting(input: ExamInput, at: number): ExamStep {
    switch (input.type) {
      case 'operator':
        if (input.action === 'start') return this.#start('operator', at);
        if (input.action === 'acknowledge' && this.#view.phase === 'result') this.#view = IDLE;
        return this.#unchanged();
      case 'frame': {
        const autoStart = this.#armed && input.verdict.live && this.#live.liveForMs(at) >= this.#opts.autoStartAfterMs;
        if (!autoStart) return this.#unchanged();
        const { started } = this.#start('auto', at);
        // The frame that completed the live run is the exam's first frame.
        return this.#countFrame(started, input, at);
      }
      case 'shutdown':
        this.#armed = false;
        return this.#unchanged();
      case 'signal':
      case 'tick':
        return this.#unchanged();
    }
  }

  #stepScanning(exam: RunningExam, input: ExamInput, at: number): ExamStep {
    switch (input.type) {
      case 'shutdown':
        return this.#end(exam, 'shutdown', at);
      case 'signal':
        if (input.state === 'no_signal' || input.state === 'disconnected') return this.#end(exam, 'signal_lost', at);
        return this.#timeoutOr(exam, at, () => this.#unchanged());
      case 'operator':
        if (input.action === 'end') return this.#end(exam, 'operator', at);
        return this.#timeoutOr(exam, at, () => this.#unchanged());
      case 'tick':
        return this.#timeoutOr(exam, at, () => this.#refreshScanning(exam, null));
      case 'frame':
        // Checked before the frame counts: a live frame after a long silence does not rescue an exam already over.
        return this.#timeoutOr(exam, at, () => this.#countFrame(null, input, at));
    }
  }

  #timeoutOr(exam: RunningExam, at: number, otherwise: () => ExamStep): ExamStep {
    if (at - exam.lastLiveAt >= this.#opts.idleTimeoutMs) return this.#end(exam, 'idle_timeout', at);
    return otherwise();
  }

  #countFrame(
    started: ExamStep['started'],
    input: Extract<ExamInput, { type: 'frame' }>,
    at: number,
  ): ExamStep {
    const exam = this.#exam;
    if (exam === null) return this.#unchanged();
    exam.addFrame(at, input.verdict, input.probability);
    return this.#refreshScanning(exam, started);
  }

  #start(cause: ExamStartCause, at: number): ExamStep {
    const examId = this.#opts.newExamId();
    const exam = new RunningExam({ examId, startedAt: at, cause, scores: this.#scores });
    this.#exam = exam;
    return this.#refreshScanning(exam, { examId, cause, at });
  }

  #refreshScanning(exam: RunningExam, started: ExamStep['started']): ExamStep {
    this.#view = {
      phase: 'scanning',
      examId: exam.examId,
      startedAt: exam.startedAt,
      cause: exam.cause,
      framesSeen: exam.framesSeen,
      usableFrames: exam.usable,
      liveScore: exam.liveScore(),
      warmingUp: exam.scored < this.#opts.minUsableFrames,
    };
    return { view: this.#view, started, ended: null };
  }

  #end(exam: RunningExam, endedBy: ExamEndCause, at: number): ExamStep {
    const tally = exam.tally();
    const score = exam.score();
    const { decision, reason, detail } = decideExam(
      { endedBy, framesSeen: tally.framesSeen, usable: tally.usable, scored: tally.scored, rejected: tally.rejected, score },
      this.#opts,
    );
    const outcome: ExamOutcome = {
      examId: exam.examId,
      startedAt: exam.startedAt,
      endedAt: at,
      startedBy: exam.cause,
      endedBy,
      framesSeen: tally.framesSeen,
      framesInferred: tally.framesInferred,
      usableFrames: tally.usable,
      scoredFrames: tally.scored,
      trailingFrames: tally.trailingFrames,
      rejected: tally.rejected,
      score,
      decision,
      reason,
      detail,
      threshold: this.#opts.threshold,
    };
    this.#exam = null;
    // Only an exam that ended by itself leaves auto start armed; see the class comment.
    this.#armed = endedBy === 'idle_timeout' || endedBy === 'signal_lost';
    this.#view = { phase: 'result', examId: exam.examId, decision, reason, score, endedAt: at };
    return { view: this.#view, started: null, ended: outcome };
  }

  #unchanged(): ExamStep {
    return { view: this.#view, started: null, ended: null };
  }

  /** Monotonic time as seen by the machine: never earlier than before, and a broken time is no time passed. */
  #advance(at: number): number {
    const previous = this.#now;
    const now = previous === null ? (Number.isFinite(at) ? at : 0) : Number.isFinite(at) ? Math.max(previous, at) : previous;
    this.#now = now;
    return now;
  }

  #observe(input: ExamInput, at: number): void {
    if (input.type === 'frame') this.#live.frame(input.verdict.live, at);
    else if (input.type === 'signal' && input.state !== 'ok') this.#live.signalNotLive(at);
    else this.#live.tick(at);
  }
}

function checkProbability(probability: number | null): void {
  if (probability === null || (probability >= 0 && probability <= 1)) return;
  throw new MyoError('MYO_ERR_ENGINE_FAILED', `frame probability must be within 0..1, got ${probability}`, { probability });
}

function checkOptions(opts: ExamMachineOptions): void {
  const problems: string[] = [];
  const nonNegative = (name: string, value: number): void => {
    if (!(Number.isFinite(value) && value >= 0)) problems.push(`${name} must be a finite number >= 0, got ${value}`);
  };
  nonNegative('autoStartAfterMs', opts.autoStartAfterMs);
  nonNegative('resultHoldMs', opts.resultHoldMs);
  if (!(Number.isFinite(opts.idleTimeoutMs) && opts.idleTimeoutMs > 0)) problems.push(`idleTimeoutMs must be > 0, got ${opts.idleTimeoutMs}`);
  if (!(Number.isInteger(opts.minUsableFrames) && opts.minUsableFrames >= 1)) {
    problems.push(`minUsableFrames must be an integer >= 1, got ${opts.minUsableFrames}`);
  }
  if (!(opts.minUsableFraction >= 0 && opts.minUsableFraction <= 1)) {
    problems.push(`minUsableFraction must be within 0..1, got ${opts.minUsableFraction}`);
  }
  if (!(opts.trimFraction >= 0 && opts.trimFraction < 0.5)) problems.push(`trimFraction must be within [0, 0.5), got ${opts.trimFraction}`);
  if (!Number.isFinite(opts.threshold)) problems.push(`threshold must be a finite number, got ${opts.threshold}`);
  if (problems.length > 0) throw new MyoError('MYO_ERR_CONFIG_INVALID', `exam machine options: ${problems.join('; ')}`, { problems });
}
