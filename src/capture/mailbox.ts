import { MyoError } from '../core/errors.js';

export interface MailboxStats {
  /** Items put in. */
  readonly put: number;
  /** Items handed to a taker. */
  readonly taken: number;
  /** Items replaced by a newer one before anyone took them. */
  readonly dropped: number;
  /** 1 when an item waits, else 0; `put == taken + dropped + waiting` always holds. */
  readonly waiting: number;
}

interface Waiter<T> {
  resolve(item: T): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * A one-slot mailbox: the newest item wins. Capture puts every frame, inference takes when it is free; a frame
 * replaced before it was taken is counted as dropped and released at once, so memory stays bounded by one waiting
 * frame however slow the consumer is (ARCHITECTURE section 4: back-pressure is a decision, not a queue).
 */
export class FrameMailbox<T> {
  #slot: { item: T } | null = null;
  #waiter: Waiter<T> | null = null;
  #closed = false;
  #put = 0;
  #taken = 0;
  #dropped = 0;

  /** Places `item`, replacing (and counting as dropped) any item still waiting. Ignored once closed. */
  put(item: T): void {
    if (this.#closed) return;
    this.#put += 1;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = null;
      this.#taken += 1;
      waiter.cleanup();
      waiter.resolve(item);
      return;
    }
    if (this.#slot) this.#dropped += 1;
    this.#slot = { item };
  }

  /**
   * Resolves with the waiting item at once, else with the next one put. Rejects with the signal's reason when it
   * aborts, and with MYO_ERR_ABORTED once the mailbox is closed and empty. One taker at a time.
   */
  take(signal?: AbortSignal): Promise<T> {
    const slot = this.#slot;
    if (slot) {
      this.#slot = null;
      this.#taken += 1;
      return Promise.resolve(slot.item);
    }
    if (this.#closed) return Promise.reject(this.#closedError());
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#waiter) {
      return Promise.reject(new MyoError('MYO_ERR_INTERNAL', 'mailbox already has a taker waiting'));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.#waiter === waiter) this.#waiter = null;
        reject(signal?.reason as Error);
      };
      const waiter: Waiter<T> = {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      this.#waiter = waiter;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The waiting item without taking it (or undefined). */
  peek(): T | undefined {
    return this.#slot?.item;
  }

  /**
   * No more items will come: a waiting taker is rejected, later takes reject once the slot is empty. The item
   * still waiting can be taken.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = null;
      waiter.cleanup();
      waiter.reject(this.#closedError());
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  stats(): MailboxStats {
    return { put: this.#put, taken: this.#taken, dropped: this.#dropped, waiting: this.#slot ? 1 : 0 };
  }

  #closedError(): MyoError {
    return new MyoError('MYO_ERR_ABORTED', 'mailbox is closed', { closed: true });
  }
}

/** True for the error a closed, empty mailbox rejects with. */
export function isMailboxClosed(error: unknown): boolean {
  return error instanceof MyoError && error.code === 'MYO_ERR_ABORTED' && error.details['closed'] === true;
}
