import { OUTBOX_CLASSES, type OutboxClass, type OutboxStats } from './outbox.js';

/**
 * What happened to entries since the outbox was opened. Kept in memory on purpose: they feed the metrics topic,
 * where counters restart with the process, and writing them would add a disk write to every ack.
 */
export class OutboxCounters {
  readonly #evicted = Object.fromEntries(OUTBOX_CLASSES.map((name) => [name, 0])) as Record<OutboxClass, number>;
  #expired = 0;
  #enqueued = 0;
  #acked = 0;
  #refused = 0;

  evicted(messageClass: OutboxClass, count = 1): void {
    this.#evicted[messageClass] += count;
  }

  expired(count: number): void {
    this.#expired += count;
  }

  enqueued(count: number): void {
    this.#enqueued += count;
  }

  acked(): void {
    this.#acked += 1;
  }

  refused(): void {
    this.#refused += 1;
  }

  snapshot(held: { pending: number; inFlight: number; bytes: number }): OutboxStats {
    return {
      ...held,
      evictedByClass: { ...this.#evicted },
      expired: this.#expired,
      enqueued: this.#enqueued,
      acked: this.#acked,
      refused: this.#refused,
    };
  }
}
