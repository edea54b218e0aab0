import { toMyoError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';

/**
 * Hands frames from a push-driven reader (pipe `data` events) to a pull-driven consumer (an async iterator).
 * `newest`: live sources; the reader never waits, an untaken frame is replaced and counted as dropped.
 * `all`: recorded files read as fast as the consumer takes them; the reader pauses while a frame waits (`onDrain`
 * tells it to go on), so nothing is dropped and the queue never holds more than one chunk's worth of frames.
 */
export class FrameHandoff {
  readonly #mode: 'newest' | 'all';
  readonly #queue: Frame[] = [];
  #waiter: { resolve: (frame: Frame | null) => void; reject: (error: Error) => void } | null = null;
  #ended = false;
  #error: Error | null = null;
  #dropped = 0;
  /** Called when the consumer has emptied the queue (mode `all`), so the reader can resume. */
  onDrain: (() => void) | null = null;

  constructor(mode: 'newest' | 'all') {
    this.#mode = mode;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  push(frame: Frame): void {
    if (this.#ended) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = null;
      waiter.resolve(frame);
      return;
    }
    if (this.#mode === 'newest' && this.#queue.length > 0) {
      this.#dropped += this.#queue.length;
      this.#queue.length = 0;
    }
    this.#queue.push(frame);
  }

  /** No more frames: `next()` gives what is queued, then null (or rejects with `error`). */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error === undefined ? null : toMyoError(error, 'MYO_ERR_CAPTURE_SOURCE');
    const waiter = this.#waiter;
    this.#waiter = null;
    if (!waiter) return;
    if (this.#error === null) waiter.resolve(null);
    else waiter.reject(this.#error);
  }

  /** The next frame; null at the end; rejects with the signal's reason on abort. One caller at a time. */
  next(signal: AbortSignal): Promise<Frame | null> {
    const frame = this.#queue.shift();
    if (frame) {
      if (this.#queue.length === 0) this.onDrain?.();
      return Promise.resolve(frame);
    }
    if (this.#ended) return this.#error === null ? Promise.resolve(null) : Promise.reject(this.#error);
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    this.onDrain?.();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = null;
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiter = {
        resolve: (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
    });
  }
}
