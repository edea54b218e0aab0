import type { Rect, SignalState } from '../core/frame.js';
import type { GrayImage } from './gray-frame.js';

export interface SignalMonitorOptions {
  readonly noSignalTimeoutMs: number;
  readonly frozenAfterMs: number;
  /** Mean absolute difference inside the ROI at or below which two frames count as identical. */
  readonly frozenMaxDiff: number;
  /** Standard deviation inside the ROI below which a frame counts as blank. */
  readonly blankMaxStdDev: number;
  /** Consecutive live frames needed to leave a bad state (default 2). */
  readonly recoverFrames?: number;
  /** Consecutive blank frames needed to call the signal blank, so one black frame does not flap it (default 2). */
  readonly blankFrames?: number;
  /** Every `sampleStep`-th row and column is measured (default 4): this runs on every 1080p frame. */
  readonly sampleStep?: number;
}

export interface SignalTransition {
  readonly state: SignalState;
  readonly previous: SignalState;
  readonly reason: string;
}

/** What the monitor measured on the last frame, for logs and tests. */
export interface SignalMeasure {
  readonly mean: number;
  readonly stdDev: number;
  /** Mean absolute difference to the previous frame inside the ROI; null for the first frame. */
  readonly meanAbsDiff: number | null;
  /** How long the ROI has been unchanged, ms. */
  readonly unchangedForMs: number;
}

type FrameClass = 'ok' | 'blank' | 'frozen';

/**
 * Judges signal quality from the frames themselves, the same way for every source (UVC grabbers raise no
 * source-change events): no_signal when frames stop for `noSignalTimeoutMs` (`tick`), frozen when the ROI stays
 * unchanged for `frozenAfterMs`, blank when the ROI is flat (black or a uniform "no signal" screen). Pure: time comes
 * in as arguments. Each transition is reported once; leaving a bad state takes a couple of live frames.
 */
export class SignalMonitor {
  readonly #options: Required<SignalMonitorOptions>;
  #state: SignalState = 'no_signal';
  #lastFrameAt: number | null = null;
  #previous: Uint8Array | null = null;
  #spare: Uint8Array | null = null;
  #previousRoi: Rect | null = null;
  #unchangedSince: number | null = null;
  #lastFrameTime = 0;
  #candidate: FrameClass | null = null;
  #candidateCount = 0;
  #measure: SignalMeasure | null = null;

  constructor(options: SignalMonitorOptions) {
    this.#options = {
      recoverFrames: 2,
      blankFrames: 2,
      sampleStep: 4,
      ...options,
    };
  }

  /** `no_signal` until the first frames arrive. */
  get state(): SignalState {
    return this.#state;
  }

  get lastMeasure(): SignalMeasure | null {
    return this.#measure;
  }

  /** Measures one frame inside `roi` (clamped to the frame) and returns the transition it caused, if any. */
  observe(frame: GrayImage, roi: Rect, now: number): SignalTransition | null {
    this.#lastFrameAt = now;
    const measure = this.#measureFrame(frame, roi, now);
    this.#measure = measure;
    const { blankMaxStdDev, frozenAfterMs, frozenMaxDiff } = this.#options;
    let cls: FrameClass = 'ok';
    let reason = 'live frames';
    if (measure.stdDev < blankMaxStdDev) {
      cls = 'blank';
      reason = `ROI is flat (std dev ${measure.stdDev.toFixed(2)} < ${blankMaxStdDev}, mean ${measure.mean.toFixed(1)})`;
    } else if (measure.unchangedForMs >= frozenAfterMs) {
      cls = 'frozen';
      reason = `ROI unchanged (mean abs diff <= ${frozenMaxDiff}) for ${Math.round(measure.unchangedForMs)} ms`;
    }
    return this.#vote(cls, reason);
  }

  /** Call periodically: reports no_signal once no frame has arrived for `noSignalTimeoutMs`. */
  tick(now: number): SignalTransition | null {
    if (this.#state === 'no_signal' || this.#state === 'disconnected' || this.#lastFrameAt === null) return null;
    const silentFor = now - this.#lastFrameAt;
    if (silentFor < this.#options.noSignalTimeoutMs) return null;
    return this.#enter('no_signal', `no frame for ${Math.round(silentFor)} ms`);
  }

  /** The source lost its device or subprocess; frames coming back recover it like any other bad state. */
  markDisconnected(reason: string): SignalTransition | null {
    if (this.#state === 'disconnected') return null;
    return this.#enter('disconnected', reason);
  }

  #vote(cls: FrameClass, reason: string): SignalTransition | null {
    if (cls === this.#state) {
      this.#candidate = null;
      this.#candidateCount = 0;
      return null;
    }
    if (this.#candidate === cls) this.#candidateCount += 1;
    else {
      this.#candidate = cls;
      this.#candidateCount = 1;
    }
    const needed = cls === 'ok' ? this.#options.recoverFrames : cls === 'blank' ? this.#options.blankFrames : 1;
    if (this.#candidateCount < needed) return null;
    return this.#enter(cls, reason);
  }

  #enter(state: SignalState, reason: string): SignalTransition {
    const previous = this.#state;
    this.#state = state;
    this.#candidate = null;
    this.#candidateCount = 0;
    if (state === 'no_signal' || state === 'disconnected') {
      // After a gap the old frame is no reference: a frozen verdict must take frozenAfterMs of new frames.
      this.#previous = null;
      this.#unchangedSince = null;
    }
    return { state, previous, reason };
  }

  #measureFrame(frame: GrayImage, roi: Rect, now: number): SignalMeasure {
    const step = Math.max(1, Math.floor(this.#options.sampleStep));
    const x0 = Math.max(0, Math.min(frame.width - 1, Math.floor(roi.x)));
    const y0 = Math.max(0, Math.min(frame.height - 1, Math.floor(roi.y)));
    const x1 = Math.max(x0 + 1, Math.min(frame.width, Math.floor(roi.x + roi.width)));
    const y1 = Math.max(y0 + 1, Math.min(frame.height, Math.floor(roi.y + roi.height)));
    const cols = Math.ceil((x1 - x0) / step);
    const rows = Math.ceil((y1 - y0) / step);
    const count = cols * rows;
    const sameRoi =
      this.#previousRoi !== null &&
      this.#previousRoi.x === x0 &&
      this.#previousRoi.y === y0 &&
      this.#previousRoi.width === x1 - x0 &&
      this.#previousRoi.height === y1 - y0;
    const previous = sameRoi && this.#previous?.length === count ? this.#previous : null;
    // Two sample buffers take turns so a 1080p stream allocates nothing per frame.
    const samples = this.#spare?.length === count ? this.#spare : new Uint8Array(count);
    const { sum, sumSq, diff } = sampleRoi(frame, x0, y0, x1, y1, step, previous, samples);
    const mean = sum / count;
    const stdDev = Math.sqrt(Math.max(0, sumSq / count - mean * mean));
    const meanAbsDiff = previous ? diff / count : null;
    if (meanAbsDiff !== null && meanAbsDiff <= this.#options.frozenMaxDiff) {
      this.#unchangedSince ??= this.#lastFrameTime;
    } else {
      this.#unchangedSince = null;
    }
    this.#spare = this.#previous;
    this.#previous = samples;
    this.#previousRoi = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    this.#lastFrameTime = now;
    const unchangedForMs = this.#unchangedSince === null ? 0 : now - this.#unchangedSince;
    return { mean, stdDev, meanAbsDiff, unchangedForMs };
  }
}

/**
 * Samples every `step`-th pixel of rows y0..y1 (every `step`-th) and columns x0..x1 into `samples`, summing value,
 * square and absolute difference to `previous`. Kept as a small free function: V8 optimises it far better than the
 * same loop inline in the class method, and it runs on every 1080p frame.
 */
function sampleRoi(
  frame: GrayImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  step: number,
  previous: Uint8Array | null,
  samples: Uint8Array,
): { sum: number; sumSq: number; diff: number } {
  const data = frame.data;
  const width = frame.width;
  const span = x1 - x0;
  let sum = 0;
  let sumSq = 0;
  let diff = 0;
  let k = 0;
  // Indexes are in range by construction, hence the plain `as number` reads.
  for (let y = y0; y < y1; y += step) {
    let i = y * width + x0;
    const end = i + span;
    if (previous) {
      for (; i < end; i += step) {
        const v = data[i] as number;
        const d = v - (previous[k] as number);
        samples[k++] = v;
        sum += v;
        sumSq += v * v;
        diff += d < 0 ? -d : d;
      }
    } else {
      for (; i < end; i += step) {
        const v = data[i] as number;
        samples[k++] = v;
        sum += v;
        sumSq += v * v;
      }
    }
  }
  return { sum, sumSq, diff };
}
