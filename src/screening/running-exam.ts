import type { FrameVerdict } from './quality-gate.js';
import { ScoreAggregator } from './score-aggregator.js';
import { REJECT_REASONS, type ExamStartCause, type RejectReason } from './types.js';

export function emptyRejections(): Record<RejectReason, number> {
  const counts = {} as Record<RejectReason, number>;
  for (const reason of REJECT_REASONS) counts[reason] = 0;
  return counts;
}

/** The tally of one exam, with the not-live frames at its end left out (see `RunningExam.tally`). */
export interface RunningTally {
  readonly framesSeen: number;
  readonly framesInferred: number;
  readonly usable: number;
  readonly scored: number;
  readonly rejected: Readonly<Record<RejectReason, number>>;
  /** Not-live frames after the last live one: the wait for the idle timeout, the probe lifted before "end". */
  readonly trailingFrames: number;
}

/**
 * The counters of the exam being scanned. Not-live frames are also counted as a trailing run that restarts at every
 * live frame, so the tally can leave out the tail after the probe was lifted or the image froze: an exam that ends
 * by idle timeout has seen idleTimeoutMs of non-live frames by construction, and they say nothing about the exam.
 */
export class RunningExam {
  readonly examId: string;
  readonly startedAt: number;
  readonly cause: ExamStartCause;
  readonly #scores: ScoreAggregator;
  readonly #rejected = emptyRejections();
  readonly #trailingRejected = emptyRejections();
  #lastLiveAt: number;
  #framesSeen = 0;
  #framesInferred = 0;
  #usable = 0;
  #trailingFrames = 0;

  constructor(init: { examId: string; startedAt: number; cause: ExamStartCause; scores: ScoreAggregator }) {
    this.examId = init.examId;
    this.startedAt = init.startedAt;
    this.cause = init.cause;
    this.#lastLiveAt = init.startedAt;
    this.#scores = init.scores;
    this.#scores.reset();
  }

  /** The last live frame (the start when there was none yet): the idle timeout runs from here. */
  get lastLiveAt(): number {
    return this.#lastLiveAt;
  }

  get framesSeen(): number {
    return this.#framesSeen;
  }

  get usable(): number {
    return this.#usable;
  }

  get scored(): number {
    return this.#scores.count;
  }

  liveScore(): number | null {
    return this.#scores.liveScore();
  }

  score(): number | null {
    return this.#scores.score();
  }

  /** Counts one frame. `probability` must already be checked (0..1 or null). */
  addFrame(at: number, verdict: FrameVerdict, probability: number | null): void {
    this.#framesSeen += 1;
    if (probability !== null) this.#framesInferred += 1;
    if (verdict.live) {
      this.#lastLiveAt = at;
      this.#trailingFrames = 0;
      for (const reason of REJECT_REASONS) this.#trailingRejected[reason] = 0;
    }
    if (verdict.usable) {
      this.#usable += 1;
      if (probability !== null) this.#scores.add(probability);
      return;
    }
    this.#rejected[verdict.reason] += 1;
    if (!verdict.live) {
      this.#trailingFrames += 1;
      this.#trailingRejected[verdict.reason] += 1;
    }
  }

  tally(): RunningTally {
    const rejected = emptyRejections();
    for (const reason of REJECT_REASONS) rejected[reason] = this.#rejected[reason] - this.#trailingRejected[reason];
    return {
      framesSeen: this.#framesSeen - this.#trailingFrames,
      framesInferred: this.#framesInferred,
      usable: this.#usable,
      scored: this.#scores.count,
      rejected,
      trailingFrames: this.#trailingFrames,
    };
  }
}
