import { MyoError } from '../core/errors.js';

export interface BudgetGovernorOptions {
  /** Capture-to-decision budget per frame, ms (> 0; the config's 0 = one frame period is resolved by the caller). */
  readonly budgetMs: number;
  /** Latencies the p95 is taken over (pipeline.budgetWindow). */
  readonly window: number;
  /** Infer at least every maxStride-th frame, however far over budget. */
  readonly maxStride: number;
}

export interface StrideChange {
  readonly stride: number;
  readonly previous: number;
  /** The p95 of the window that caused the change. */
  readonly p95Ms: number;
}

/** Recover only well under budget, so the stride does not flap around the budget line. */
const RECOVER_BELOW = 0.7;
const PERCENTILE = 0.95;

/**
 * Keeps per-frame inference inside its latency budget by inferring only every `stride`-th frame. Judges the p95 of
 * the last `window` latencies (a ring buffer: no allocation per record, so a slow board does not also collect more
 * garbage): over budget doubles the stride (up to maxStride), well under budget (< 0.7 x) halves it. Each change
 * restarts the window, so the new rate is judged only on its own samples, and one spike among many cannot move it.
 * Pure: no clock, latencies come in.
 */
export class BudgetGovernor {
  readonly #budgetMs: number;
  readonly #maxStride: number;
  readonly #ring: Float64Array;
  /** Scratch for the percentile: copied and sorted in place, allocated once. */
  readonly #sorted: Float64Array;
  #next = 0;
  #filled = 0;
  #stride = 1;
  #lastInferredSeq: number | null = null;
  #p95: number | null = null;

  constructor(opts: BudgetGovernorOptions) {
    checkOptions(opts);
    this.#budgetMs = opts.budgetMs;
    this.#maxStride = opts.maxStride;
    this.#ring = new Float64Array(opts.window);
    this.#sorted = new Float64Array(opts.window);
  }

  get stride(): number {
    return this.#stride;
  }

  /** p95 of the latencies recorded since the window last restarted; null when there are none. */
  get p95Ms(): number | null {
    return this.#p95;
  }

  get overBudget(): boolean {
    return this.#p95 !== null && this.#p95 > this.#budgetMs;
  }

  /**
   * Decides for each captured frame (by seq) whether to run inference on it: every `stride`-th frame (seq % stride
   * === 0). A source whose seqs jump (drops in the mailbox, a source that skips) could miss every multiple for a long
   * time, so a frame is also inferred when more than `stride` seqs passed since the last inferred one. A seq lower
   * than the last inferred one means the source restarted its count: infer and follow the new count.
   */
  shouldInfer(seq: number): boolean {
    const last = this.#lastInferredSeq;
    const infer = last === null || seq < last || seq % this.#stride === 0 || seq - last > this.#stride;
    if (infer) this.#lastInferredSeq = seq;
    return infer;
  }

  /**
   * Records one inferred frame's capture-to-decision latency; returns the change when the stride moved. A latency that
   * is negative or not finite (a broken measurement) is ignored.
   */
  record(latencyMs: number): StrideChange | null {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) return null;
    this.#ring[this.#next] = latencyMs;
    this.#next = (this.#next + 1) % this.#ring.length;
    if (this.#filled < this.#ring.length) this.#filled += 1;
    const p95 = this.#percentile();
    this.#p95 = p95;
    if (this.#filled < this.#ring.length) return null;

    const previous = this.#stride;
    let stride = previous;
    if (p95 > this.#budgetMs) stride = Math.min(previous * 2, this.#maxStride);
    else if (previous > 1 && p95 < RECOVER_BELOW * this.#budgetMs) stride = Math.max(1, Math.floor(previous / 2));
    if (stride === previous) return null;
    this.#stride = stride;
    this.#restartWindow();
    return { stride, previous, p95Ms: p95 };
  }

  #restartWindow(): void {
    this.#next = 0;
    this.#filled = 0;
    this.#p95 = null;
  }

  /** Nearest-rank p95 of the filled part of the ring. */
  #percentile(): number {
    const n = this.#filled;
    // Unfilled slots sort to the end as +Infinity, so the first n sorted values are exactly the recorded ones.
    for (let i = 0; i < this.#sorted.length; i++) this.#sorted[i] = i < n ? (this.#ring[i] ?? 0) : Infinity;
    this.#sorted.sort();
    const rank = Math.max(1, Math.ceil(PERCENTILE * n));
    return this.#sorted[rank - 1] ?? 0;
  }
}

function checkOptions(opts: BudgetGovernorOptions): void {
  const problems: string[] = [];
  if (!(Number.isFinite(opts.budgetMs) && opts.budgetMs > 0)) problems.push(`budgetMs must be > 0, got ${opts.budgetMs}`);
  if (!(Number.isInteger(opts.window) && opts.window >= 1)) problems.push(`window must be an integer >= 1, got ${opts.window}`);
  if (!(Number.isInteger(opts.maxStride) && opts.maxStride >= 1)) problems.push(`maxStride must be an integer >= 1, got ${opts.maxStride}`);
  if (problems.length > 0) throw new MyoError('MYO_ERR_CONFIG_INVALID', `budget governor: ${problems.join('; ')}`, { problems });
}
