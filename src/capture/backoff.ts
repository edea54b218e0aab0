/**
 * Exponential backoff with jitter for reconnect loops. Jitter spreads retries so a cart full of parts that lost the
 * same device do not hammer it in lockstep; `random` is injectable so tests get exact delays.
 */
export interface BackoffOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Growth per failed attempt (default 2). */
  readonly factor?: number;
  /** Fraction of the delay drawn at random either side (default 0.2: 80 % .. 120 %). */
  readonly jitter?: number;
  /** Uniform [0, 1) source; Math.random in production. */
  readonly random?: () => number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(options: BackoffOptions) {
    this.#initial = Math.max(1, options.initialDelayMs);
    this.#max = Math.max(this.#initial, options.maxDelayMs);
    this.#factor = Math.max(1, options.factor ?? 2);
    this.#jitter = Math.min(1, Math.max(0, options.jitter ?? 0.2));
    this.#random = options.random ?? Math.random;
  }

  /** Failed attempts since the last reset. */
  get failures(): number {
    return this.#failures;
  }

  /** Counts one more failure and returns how long to wait before the next attempt. */
  next(): number {
    const base = Math.min(this.#max, this.#initial * this.#factor ** this.#failures);
    this.#failures += 1;
    const spread = 1 - this.#jitter + 2 * this.#jitter * this.#random();
    return Math.round(Math.min(this.#max, Math.max(1, base * spread)));
  }

  /** A success: the next failure starts again from the initial delay. */
  reset(): void {
    this.#failures = 0;
  }
}
