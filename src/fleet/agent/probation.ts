/** One look at the new model's record while it is on probation. */
export interface ProbationSample {
  /** Monotonic ms. */
  readonly at: number;
  /** Inferences, failed inferences and worker restarts so far (engine counters). */
  readonly runs: number;
  readonly failures: number;
  readonly restarts: number;
  /** The inference part's health is not `failed`. */
  readonly healthy: boolean;
}

export interface ProbationLimits {
  readonly inferences: number;
  readonly seconds: number;
  readonly maxInferenceErrors: number;
}

export type ProbationVerdict = { readonly verdict: 'watching' } | { readonly verdict: 'passed'; readonly reason: string } | { readonly verdict: 'failed'; readonly reason: string };

/**
 * The probation window after activation (ARCHITECTURE section 7): the new model passes after `inferences` runs or
 * `seconds`, whichever comes first (a cart between exams runs few inferences, and it must not stay uncommitted for
 * ever); it fails at the first worker restart, at more failed inferences than allowed, or when inference health
 * fails. Pure: the agent feeds it samples.
 */
export class ProbationWindow {
  readonly #start: ProbationSample;
  readonly #limits: ProbationLimits;

  constructor(start: ProbationSample, limits: ProbationLimits) {
    this.#start = start;
    this.#limits = limits;
  }

  judge(now: ProbationSample): ProbationVerdict {
    const runs = now.runs - this.#start.runs;
    const failures = now.failures - this.#start.failures;
    const restarts = now.restarts - this.#start.restarts;
    if (restarts > 0) return { verdict: 'failed', reason: `the inference worker restarted ${restarts} time(s) during probation` };
    if (failures > this.#limits.maxInferenceErrors) return { verdict: 'failed', reason: `${failures} inference(s) failed during probation (allowed ${this.#limits.maxInferenceErrors})` };
    if (!now.healthy) return { verdict: 'failed', reason: 'inference health failed during probation' };
    if (runs >= this.#limits.inferences) return { verdict: 'passed', reason: `${runs} inferences without a fault` };
    const elapsedS = (now.at - this.#start.at) / 1000;
    if (elapsedS >= this.#limits.seconds) return { verdict: 'passed', reason: `${elapsedS.toFixed(1)} s without a fault (${runs} inferences)` };
    return { verdict: 'watching' };
  }

  /** 0..1 through the window, by whichever limit is nearer. */
  progress(now: ProbationSample): number {
    const byRuns = (now.runs - this.#start.runs) / this.#limits.inferences;
    const byTime = (now.at - this.#start.at) / 1000 / this.#limits.seconds;
    return Math.max(0, Math.min(1, Math.max(byRuns, byTime)));
  }
}
