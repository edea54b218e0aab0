/**
 * The durable outbox port: every MQTT message that must not be lost is written here before it is sent and removed
 * only when the broker acknowledged it. Delivery order is enqueue order (`seq`); the class matters only when the
 * outbox is full and something has to go.
 */

/** Message classes from lowest to highest eviction priority: metrics are dropped first, exam summaries last. */
export const OUTBOX_CLASSES = ['metrics', 'health', 'info', 'event', 'job_status', 'exam_summary'] as const;

export type OutboxClass = (typeof OUTBOX_CLASSES)[number];

/** A class's place in the eviction order: a lower rank is evicted first and never makes room for a higher one. */
export function classRank(messageClass: OutboxClass): number {
  return OUTBOX_CLASSES.indexOf(messageClass);
}

export interface OutboxMessage {
  readonly topic: string;
  readonly payload: Buffer | string;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  readonly class: OutboxClass;
  /** Wall-clock epoch ms after which the message is worthless (a health report, say) and is dropped unsent. */
  readonly expiresAt?: number | null | undefined;
}

export type OutboxEntryState = 'pending' | 'in_flight';

export interface OutboxEntry {
  /** Position in delivery order; increases with every enqueue and is never reused, even after a restart. */
  readonly seq: number;
  /** Opaque, unique and time-sortable (ULID layout); sent with the message so consumers can drop duplicates. */
  readonly messageId: string;
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  readonly class: OutboxClass;
  /** Wall-clock epoch ms of the enqueue. */
  readonly enqueuedAt: number;
  readonly expiresAt: number | null;
  readonly state: OutboxEntryState;
  /** How many times the entry was handed to the network (markInFlight); above 1 means it was resent. */
  readonly attempts: number;
  /** What the entry counts against maxBytes: payload bytes plus topic bytes (UTF-8). */
  readonly bytes: number;
}

export interface OutboxStats {
  readonly pending: number;
  readonly inFlight: number;
  readonly bytes: number;
  /** Entries dropped to make room, per class, since this outbox was opened. */
  readonly evictedByClass: Readonly<Record<OutboxClass, number>>;
  /** Entries dropped unsent because their expiresAt had passed, since this outbox was opened. */
  readonly expired: number;
  /** Entries queued since this outbox was opened. */
  readonly enqueued: number;
  /** Entries removed by ack since this outbox was opened. */
  readonly acked: number;
  /** Enqueues refused with MYO_ERR_OUTBOX_FULL since this outbox was opened. */
  readonly refused: number;
}

export interface OutboxLimits {
  /** Entries kept at most, pending and in flight together. */
  readonly maxMessages: number;
  /** Bytes (see OutboxEntry.bytes) kept at most, pending and in flight together. */
  readonly maxBytes: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = Object.freeze({ maxMessages: 50_000, maxBytes: 64 * 1024 * 1024 });

export interface Outbox {
  /**
   * Queues one message and returns its entry. For the SQLite outbox the entry is on disk (fsynced commit) when this
   * returns. When full, lower classes are evicted (lowest class first, oldest first within a class); if that cannot
   * make room, throws MYO_ERR_OUTBOX_FULL and nothing changes. A malformed message is MYO_ERR_OUTBOX_MESSAGE_INVALID.
   */
  enqueue(message: OutboxMessage): OutboxEntry;
  /** Queues several messages in one transaction (one fsync): all of them or, on any refusal, none. */
  enqueueMany(messages: readonly OutboxMessage[]): OutboxEntry[];
  /** Up to `limit` oldest pending entries in seq order; expired pending entries are dropped (and counted) first. */
  peek(limit: number): OutboxEntry[];
  /** Pending -> in flight (attempts + 1). False when the entry is gone or not pending. */
  markInFlight(seq: number): boolean;
  /** Removes the entry (the broker has it). False when it was already gone. */
  ack(seq: number): boolean;
  /** In flight -> pending, in its original place in the order. False when the entry is gone or not in flight. */
  nack(seq: number): boolean;
  /**
   * Puts every in-flight entry back to pending; call once at start. An entry in flight when the process died may or
   * may not have reached the broker, so it is sent again with the same messageId. Returns how many came back.
   */
  recoverInFlight(): number;
  /** Entries held, pending and in flight. */
  size(): number;
  /** Bytes held, pending and in flight. */
  bytes(): number;
  stats(): OutboxStats;
  close(): void;
}
