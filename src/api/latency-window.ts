/** Percentiles of capture-to-decision latency over the last `capacity` inferred frames. */
export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly samples: number;
}

/**
 * A fixed ring of the latest latencies: recording costs a store, no allocation (it runs once per frame); the sort
 * happens only when someone asks (a status request, the dashboard's once-a-second tick).
 */
export class LatencyWindow {
  readonly #ring: Float64Array;
  #next = 0;
  #count = 0;

  constructor(capacity = 300) {
    this.#ring = new Float64Array(capacity);
  }

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    this.#ring[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#count = Math.min(this.#count + 1, this.#ring.length);
  }

  percentiles(): LatencyPercentiles | null {
    if (this.#count === 0) return null;
    const sorted = this.#ring.slice(0, this.#count).sort();
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
    const round = (v: number): number => Math.round(v * 100) / 100;
    return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), samples: this.#count };
  }
}
