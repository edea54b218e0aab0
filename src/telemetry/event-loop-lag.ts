import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Lifecycle } from '../core/lifecycle.js';
import type { MetricsRegistry } from './metrics.js';

/**
 * Event-loop lag: how late timers and I/O callbacks run. The inference worker exists so that this stays small
 * (onnxruntime's run would otherwise block the loop for the whole inference). Sampled by Node's own histogram at
 * 10 ms resolution; the gauges show a window that restarts every minute, so an old spike does not stick forever.
 */
const WINDOW_MS = 60_000;
const RESOLUTION_MS = 10;

/**
 * Node's histogram records the whole interval between its timer's runs, which on an idle loop is the resolution
 * itself (10.2 ms p50 measured here with nothing running); the lag is what comes on top of it.
 */
function lagNs(intervalNs: number): number {
  return Math.max(0, intervalNs - RESOLUTION_MS * 1e6);
}

export class EventLoopLag implements Lifecycle {
  readonly name = 'event-loop-lag';
  #histogram: IntervalHistogram | null = null;
  #window: NodeJS.Timeout | null = null;

  constructor(metrics: MetricsRegistry) {
    const read = (pick: (h: IntervalHistogram) => number) => (): number => {
      const h = this.#histogram;
      return h && h.count > 0 ? lagNs(pick(h)) / 1e9 : 0;
    };
    const p50 = read((h) => h.percentile(50));
    const p99 = read((h) => h.percentile(99));
    const max = read((h) => h.max);
    // `stat`, not `quantile`: Prometheus reserves `quantile` for summaries, and promtool rejects it on a gauge.
    metrics.gauge('event_loop_lag_seconds', 'Event-loop delay over the current one-minute window: p50, p99 and max.', {
      labelNames: ['stat'] as const,
      collect() {
        this.set({ stat: 'p50' }, p50());
        this.set({ stat: 'p99' }, p99());
        this.set({ stat: 'max' }, max());
      },
    });
  }

  /** p99 and max in ms over the current window (for health and the benchmark), then resets the window. */
  snapshot(reset = true): { p50Ms: number; p99Ms: number; maxMs: number; samples: number } {
    const h = this.#histogram;
    if (!h || h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 };
    const out = { p50Ms: lagNs(h.percentile(50)) / 1e6, p99Ms: lagNs(h.percentile(99)) / 1e6, maxMs: lagNs(h.max) / 1e6, samples: h.count };
    if (reset) h.reset();
    return out;
  }

  start(): Promise<void> {
    if (!this.#histogram) {
      this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      this.#histogram.enable();
      this.#window = setInterval(() => this.#histogram?.reset(), WINDOW_MS);
      this.#window.unref();
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.#window) clearInterval(this.#window);
    this.#window = null;
    this.#histogram?.disable();
    this.#histogram = null;
    return Promise.resolve();
  }
}
