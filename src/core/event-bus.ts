import type { BusEventName, BusEvents } from './events.js';

export type Listener<K extends BusEventName> = (payload: BusEvents[K]) => void;

/** Called when a listener throws; the emitter never sees the error. */
export type ListenerErrorHandler = (event: BusEventName, error: unknown) => void;

/**
 * The daemon's typed, synchronous event bus. Listeners are owned: `on()` returns the function that removes the
 * listener, and an owner can drop all of its listeners at once with `offOwner()`. A throwing listener is reported
 * and skipped so one bad consumer cannot take the emitter (e.g. the capture loop) down with it.
 */
export class EventBus {
  readonly #listeners = new Map<BusEventName, Set<{ fn: (payload: never) => void; owner: string | undefined }>>();
  readonly #onListenerError: ListenerErrorHandler;

  constructor(onListenerError: ListenerErrorHandler = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  on<K extends BusEventName>(event: K, listener: Listener<K>, owner?: string): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const entry = { fn: listener as (payload: never) => void, owner };
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Resolves with the next payload of `event`, or rejects when the signal aborts. */
  once<K extends BusEventName>(event: K, signal?: AbortSignal): Promise<BusEvents[K]> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        off();
        reject(signal?.reason as Error);
      };
      const off = this.on(event, (payload) => {
        off();
        signal?.removeEventListener('abort', onAbort);
        resolve(payload);
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  offOwner(owner: string): void {
    for (const set of this.#listeners.values()) {
      for (const entry of set) if (entry.owner === owner) set.delete(entry);
    }
  }

  emit<K extends BusEventName>(event: K, payload: BusEvents[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const entry of [...set]) {
      try {
        (entry.fn as Listener<K>)(payload);
      } catch (error) {
        this.#onListenerError(event, error);
      }
    }
  }

  listenerCount(event: BusEventName): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}
