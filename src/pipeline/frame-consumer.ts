import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/logger.js';

/** The one thing a consumer needs from the capture mailbox. */
export interface TakeFrom<T> {
  take(signal: AbortSignal): Promise<T>;
}

/**
 * Takes items from the capture mailbox one at a time and hands each to `handle`; while `handle` runs, newer frames
 * replace each other in the mailbox (counted as drops there), which is exactly the newest-wins back-pressure the
 * per-frame path wants: one frame in flight, never a queue. A throwing handler is logged and the loop goes on.
 */
export class FrameConsumer<T> implements Lifecycle {
  readonly name: string;
  readonly #source: TakeFrom<T>;
  readonly #handle: (item: T) => Promise<void> | void;
  readonly #logger: Logger;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #handled = 0;
  #failed = 0;

  constructor(deps: { name: string; source: TakeFrom<T>; handle: (item: T) => Promise<void> | void; logger: Logger }) {
    this.name = deps.name;
    this.#source = deps.source;
    this.#handle = deps.handle;
    this.#logger = deps.logger;
  }

  start(): Promise<void> {
    if (this.#loop) return Promise.resolve();
    const abort = new AbortController();
    this.#abort = abort;
    this.#loop = this.#run(abort.signal);
    return Promise.resolve();
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let item: T;
      try {
        item = await this.#source.take(signal);
      } catch (error) {
        if (isAborted(signal)) return;
        this.#logger.error({ err: error }, 'taking a frame failed');
        continue;
      }
      try {
        await this.#handle(item);
        this.#handled += 1;
      } catch (error) {
        this.#failed += 1;
        // Rate-limit the log: a systematic failure would otherwise log every frame.
        if (this.#failed <= 5 || this.#failed % 1000 === 0) {
          this.#logger.error({ err: error, failed: this.#failed }, 'frame handler failed');
        }
      }
    }
  }

  stats(): { handled: number; failed: number } {
    return { handled: this.#handled, failed: this.#failed };
  }

  async stop(): Promise<void> {
    const loop = this.#loop;
    if (!loop) return;
    this.#abort?.abort(new Error('consumer stopped'));
    this.#loop = null;
    await loop;
  }
}

/** Read through a call so the compiler does not assume the flag is unchanged across an await. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
