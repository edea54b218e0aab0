/**
 * Idempotency by request id: the fleet may resend a request (QoS 1 redelivery, an operator's retry, a persistent
 * session replayed after a reconnect). A request id seen before gets the first answer again instead of running the
 * command twice: a second `restart` must not restart twice. Bounded in entries and age so hostile ids cannot grow it.
 */
export class ResponseCache<T> {
  readonly #entries = new Map<string, { value: Promise<T>; at: number }>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { maxEntries: number; ttlMs: number; now?: () => number }) {
    this.#maxEntries = options.maxEntries;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The answer for `id`: the cached one while it is fresh (even still pending), else `run()`'s, remembered. */
  answer(id: string, run: () => Promise<T>): { value: Promise<T>; repeated: boolean } {
    const now = this.#now();
    const hit = this.#entries.get(id);
    if (hit && now - hit.at < this.#ttlMs) return { value: hit.value, repeated: true };
    if (hit) this.#entries.delete(id);
    const value = run();
    this.#entries.set(id, { value, at: now });
    // Maps iterate in insertion order: the first keys are the oldest.
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    return { value, repeated: false };
  }
}
