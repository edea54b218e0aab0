import { MyoError } from '../core/errors.js';

/**
 * Bins over [0, 1]. Each bin keeps its count and the exact sum of its values, so bins that the trim keeps whole
 * contribute exactly; only the (at most two) bins the trim cuts through are estimated, at their midpoint, which is
 * within half a bin (1/2048) of each value it stands for. The trimmed mean is therefore within 1/2048 < 5e-4 of the
 * exact one, whatever the exam's length, in fixed memory (12 KiB) and O(bins) per score.
 */
const BINS = 1024;

export interface ScoreAggregatorOptions {
  /** Share trimmed from each end by `liveScore()` and by `score()` without an argument (screening.trimFraction). */
  readonly trimFraction: number;
}

/**
 * Collects one exam's per-frame probabilities and reduces them to a trimmed mean: sort, drop floor(n * trim) from
 * each end, average the rest, so a few noisy frames (a probe slip, a bowel loop passing) cannot flip the exam.
 * Memory stays bounded for long exams (30 min at 30 fps is 54,000 values): a fixed histogram, not the values.
 */
export class ScoreAggregator {
  readonly #counts = new Uint32Array(BINS);
  readonly #sums = new Float64Array(BINS);
  readonly #trimFraction: number;
  #count = 0;

  constructor(options: ScoreAggregatorOptions) {
    checkTrim(options.trimFraction);
    this.#trimFraction = options.trimFraction;
  }

  /** Probabilities added so far. */
  get count(): number {
    return this.#count;
  }

  /** Adds one usable frame's probability (0..1); anything else is a broken model output and is refused. */
  add(probability: number): void {
    if (!(probability >= 0 && probability <= 1)) {
      throw new MyoError('MYO_ERR_ENGINE_FAILED', `frame probability must be within 0..1, got ${probability}`, { probability });
    }
    const bin = Math.min(BINS - 1, Math.floor(probability * BINS));
    this.#counts[bin] = (this.#counts[bin] ?? 0) + 1;
    this.#sums[bin] = (this.#sums[bin] ?? 0) + probability;
    this.#count += 1;
  }

  /** The trimmed mean (see the class comment), or null before the first probability. */
  score(trimFraction: number = this.#trimFraction): number | null {
    checkTrim(trimFraction);
    const n = this.#count;
    if (n === 0) return null;
    const drop = Math.floor(n * trimFraction);
    // Keep ranks [drop, n - drop) of the sorted values; walk the bins in order, taking the overlap of each.
    const keepFrom = drop;
    const keepTo = n - drop;
    let rank = 0;
    let total = 0;
    for (let bin = 0; bin < BINS && rank < keepTo; bin++) {
      const inBin = this.#counts[bin] ?? 0;
      if (inBin === 0) continue;
      const from = Math.max(rank, keepFrom);
      const to = Math.min(rank + inBin, keepTo);
      const kept = to - from;
      if (kept === inBin) total += this.#sums[bin] ?? 0;
      else if (kept > 0) total += kept * ((bin + 0.5) / BINS);
      rank += inBin;
    }
    return total / (keepTo - keepFrom);
  }

  /** The same trimmed mean with the configured trim, for the display while scanning. */
  liveScore(): number | null {
    return this.score(this.#trimFraction);
  }

  reset(): void {
    this.#counts.fill(0);
    this.#sums.fill(0);
    this.#count = 0;
  }
}

function checkTrim(trimFraction: number): void {
  // Below one half, floor(n * trim) * 2 < n for every n >= 1: at least one value is always kept.
  if (!(trimFraction >= 0 && trimFraction < 0.5)) {
    throw new MyoError('MYO_ERR_CONFIG_INVALID', `trim fraction must be within [0, 0.5), got ${trimFraction}`, { trimFraction });
  }
}
