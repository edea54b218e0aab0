import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The daemon's metrics registry. One per daemon (never prom-client's global register), so tests can build several
 * daemons in one process. Parts register their own instruments through the helpers below; every name is prefixed
 * `myoscreen_` here so the convention cannot drift.
 */
export const METRIC_PREFIX = 'myoscreen_';

export class MetricsRegistry {
  readonly registry = new Registry();

  constructor(options: { defaultLabels?: Record<string, string>; processMetrics?: boolean } = {}) {
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
      // prom-client names these gauges `_total`, a suffix Prometheus keeps for counters (promtool refuses it); the
      // same figures remain by type in `nodejs_active_handles` / `nodejs_active_requests` / `nodejs_active_resources`.
      for (const name of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
        this.registry.removeSingleMetric(`${METRIC_PREFIX}nodejs_${name}`);
      }
    }
  }

  gauge<L extends string = never>(
    name: string,
    help: string,
    options: { labelNames?: readonly L[]; collect?: (this: Gauge<L>) => void } = {},
  ): Gauge<L> {
    return new Gauge<L>({
      name: METRIC_PREFIX + name,
      help,
      labelNames: options.labelNames ?? [],
      registers: [this.registry],
      ...(options.collect ? { collect: options.collect } : {}),
    });
  }

  counter<L extends string = never>(
    name: string,
    help: string,
    options: { labelNames?: readonly L[]; collect?: (this: Counter<L>) => void } = {},
  ): Counter<L> {
    return new Counter<L>({
      name: METRIC_PREFIX + name,
      help,
      labelNames: options.labelNames ?? [],
      registers: [this.registry],
      ...(options.collect ? { collect: options.collect } : {}),
    });
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    options: { labelNames?: readonly L[] } = {},
  ): Histogram<L> {
    return new Histogram<L>({
      name: METRIC_PREFIX + name,
      help,
      buckets,
      labelNames: options.labelNames ?? [],
      registers: [this.registry],
    });
  }

  /** Prometheus text exposition format. */
  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * Keeps a Counter equal to a monotonically growing total read from a part's stats at scrape time. Parts keep plain
 * counters (cheap on the frame path); the registry turns them into Prometheus counters only when scraped.
 */
export function counterFromTotal(read: () => number): (this: Counter) => void {
  let last = 0;
  return function collect(this: Counter): void {
    const total = read();
    if (total > last) this.inc(total - last);
    last = Math.max(last, total);
  };
}
