/**
 * The one lifecycle every long-lived part follows: the constructor only stores its dependencies, `start(signal)`
 * does the work (and may watch `signal` to give up a slow start), `stop()` releases everything and is idempotent.
 */
export interface Lifecycle {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** Starts parts in order and stops the started ones in reverse; a failed start stops what already started. */
export class LifecycleGroup {
  readonly #parts: Lifecycle[];
  readonly #started: Lifecycle[] = [];
  readonly #report: (event: 'started' | 'stopped', part: string, tookMs: number) => void;
  readonly #onStopError: (part: string, error: unknown) => void;

  constructor(
    parts: Lifecycle[],
    hooks: {
      report?: (event: 'started' | 'stopped', part: string, tookMs: number) => void;
      onStopError?: (part: string, error: unknown) => void;
    } = {},
  ) {
    this.#parts = [...parts];
    this.#report = hooks.report ?? (() => undefined);
    this.#onStopError = hooks.onStopError ?? (() => undefined);
  }

  async start(signal: AbortSignal): Promise<void> {
    for (const part of this.#parts) {
      signal.throwIfAborted();
      const t0 = performance.now();
      try {
        await part.start(signal);
      } catch (error) {
        await this.stop();
        throw error;
      }
      this.#started.push(part);
      this.#report('started', part.name, performance.now() - t0);
    }
  }

  async stop(): Promise<void> {
    while (this.#started.length > 0) {
      const part = this.#started.pop();
      if (!part) break;
      const t0 = performance.now();
      try {
        await part.stop();
      } catch (error) {
        this.#onStopError(part.name, error);
      }
      this.#report('stopped', part.name, performance.now() - t0);
    }
  }
}
