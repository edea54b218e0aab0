/** What every benchmark module returns; bench/run.ts prints them as a table or one JSON object (--json). */
export interface BenchResult {
  /** Short id, e.g. `phantom-render`. */
  readonly name: string;
  /** Human description of what was measured and on what input. */
  readonly description: string;
  /** Metric name -> value; units go in the name (`images_per_s`, `p99_ms`). */
  readonly metrics: Readonly<Record<string, number | string | boolean>>;
  /** Targets the issue sets, metric name -> { op, value }, checked and printed as pass/fail. */
  readonly targets?: Readonly<Record<string, { readonly op: '>=' | '<='; readonly value: number }>>;
}

export interface BenchOptions {
  /** Smaller iteration counts for a quick run (`npm run bench -- --quick`). */
  readonly quick: boolean;
  /** Minutes of the long memory run (`--soak MIN`); 0 skips it. */
  readonly soakMinutes: number;
}

/** A module measures one thing, or one thing under several settings (one result each). */
export type BenchModule = (options: BenchOptions) => Promise<BenchResult | BenchResult[]>;
