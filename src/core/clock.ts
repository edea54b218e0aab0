/**
 * Time as a dependency. Monotonic milliseconds for durations and frame stamps, wall time only for records that
 * people read. Tests pass a ManualClock and advance it; nothing in the code path reads the global clock directly.
 */
export interface Clock {
  /** Monotonic milliseconds (performance.now() in production). */
  now(): number;
  /** Wall-clock epoch milliseconds. */
  wallNow(): number;
}

export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  wallNow: () => Date.now(),
});

export class ManualClock implements Clock {
  #mono: number;
  #wall: number;

  constructor(startMono = 0, startWall = Date.UTC(2026, 0, 1)) {
    this.#mono = startMono;
    this.#wall = startWall;
  }

  now(): number {
    return this.#mono;
  }

  wallNow(): number {
    return this.#wall;
  }

  advance(ms: number): void {
    this.#mono += ms;
    this.#wall += ms;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
