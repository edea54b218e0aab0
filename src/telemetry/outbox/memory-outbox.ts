import { systemClock, type Clock } from '../../core/clock.js';
import { isMyoError } from '../../core/errors.js';
import { planEviction } from './eviction.js';
import { createMessageIdGenerator } from './message-id.js';
import type { Outbox, OutboxEntry, OutboxLimits, OutboxMessage, OutboxStats } from './outbox.js';
import { OutboxCounters } from './outbox-counters.js';
import { checkPeekLimit, outboxClosed, resolveOutboxLimits, type OutboxLimitOptions } from './outbox-limits.js';
import { prepareMessage, type PreparedMessage } from './outbox-message.js';

export interface MemoryOutboxOptions extends OutboxLimitOptions {
  readonly clock?: Clock | undefined;
  /** Message id source (default: a ULID-layout generator on the clock's wall time). */
  readonly newMessageId?: (() => string) | undefined;
}

interface HeldEntry extends OutboxEntry {
  readonly rank: number;
}

/**
 * The Outbox contract without a disk: for tests and for a daemon told to keep nothing on the card. Entries live in
 * a Map keyed by seq; a Map iterates in insertion order and an entry is never re-inserted, so iteration is seq order.
 */
export class MemoryOutbox implements Outbox {
  readonly #limits: OutboxLimits;
  readonly #clock: Clock;
  readonly #newMessageId: () => string;
  readonly #counters = new OutboxCounters();
  #entries = new Map<number, HeldEntry>();
  #bytes = 0;
  #nextSeq = 1;
  #closed = false;

  constructor(opts: MemoryOutboxOptions = {}) {
    this.#limits = resolveOutboxLimits(opts);
    this.#clock = opts.clock ?? systemClock;
    const clock = this.#clock;
    this.#newMessageId = opts.newMessageId ?? createMessageIdGenerator({ now: () => clock.wallNow() });
  }

  enqueue(message: OutboxMessage): OutboxEntry {
    const [entry] = this.enqueueMany([message]);
    if (entry === undefined) throw new Error('unreachable: one message in, one entry out');
    return entry;
  }

  enqueueMany(messages: readonly OutboxMessage[]): OutboxEntry[] {
    this.#assertOpen();
    const prepared = messages.map(prepareMessage);
    // All or nothing: work on copies and swap them in only when every message fitted.
    const entries = new Map(this.#entries);
    let bytes = this.#bytes;
    let nextSeq = this.#nextSeq;
    const evicted: HeldEntry[] = [];
    let expired = 0;
    const added: HeldEntry[] = [];
    try {
      for (const message of prepared) {
        if (!fits(message, entries.size, bytes, this.#limits)) {
          for (const [seq, entry] of entries) {
            if (entry.state === 'pending' && isExpired(entry, this.#clock.wallNow())) {
              entries.delete(seq);
              bytes -= entry.bytes;
              expired += 1;
            }
          }
        }
        const chosen = planEviction(message, { messages: entries.size, bytes }, this.#limits, evictionOrder(entries, message.rank));
        for (const victim of chosen) {
          entries.delete(victim.seq);
          bytes -= victim.bytes;
          evicted.push(victim);
        }
        const entry = this.#newEntry(message, nextSeq);
        nextSeq += 1;
        entries.set(entry.seq, entry);
        bytes += entry.bytes;
        added.push(entry);
      }
    } catch (error) {
      if (isMyoError(error, 'MYO_ERR_OUTBOX_FULL')) this.#counters.refused();
      throw error;
    }
    this.#entries = entries;
    this.#bytes = bytes;
    this.#nextSeq = nextSeq;
    for (const victim of evicted) this.#counters.evicted(victim.class);
    this.#counters.expired(expired);
    this.#counters.enqueued(added.length);
    return added.map(publicEntry);
  }

  peek(limit: number): OutboxEntry[] {
    this.#assertOpen();
    checkPeekLimit(limit);
    const now = this.#clock.wallNow();
    const found: OutboxEntry[] = [];
    for (const [seq, entry] of this.#entries) {
      if (entry.state !== 'pending') continue;
      if (isExpired(entry, now)) {
        this.#remove(seq, entry);
        this.#counters.expired(1);
        continue;
      }
      found.push(publicEntry(entry));
      if (found.length >= limit) break;
    }
    return found;
  }

  markInFlight(seq: number): boolean {
    this.#assertOpen();
    const entry = this.#entries.get(seq);
    if (entry?.state !== 'pending') return false;
    this.#entries.set(seq, { ...entry, state: 'in_flight', attempts: entry.attempts + 1 });
    return true;
  }

  ack(seq: number): boolean {
    this.#assertOpen();
    const entry = this.#entries.get(seq);
    if (entry === undefined) return false;
    this.#remove(seq, entry);
    this.#counters.acked();
    return true;
  }

  nack(seq: number): boolean {
    this.#assertOpen();
    const entry = this.#entries.get(seq);
    if (entry?.state !== 'in_flight') return false;
    this.#entries.set(seq, { ...entry, state: 'pending' });
    return true;
  }

  recoverInFlight(): number {
    this.#assertOpen();
    let recovered = 0;
    for (const [seq, entry] of this.#entries) {
      if (entry.state !== 'in_flight') continue;
      this.#entries.set(seq, { ...entry, state: 'pending' });
      recovered += 1;
    }
    return recovered;
  }

  size(): number {
    this.#assertOpen();
    return this.#entries.size;
  }

  bytes(): number {
    this.#assertOpen();
    return this.#bytes;
  }

  stats(): OutboxStats {
    this.#assertOpen();
    let inFlight = 0;
    for (const entry of this.#entries.values()) if (entry.state === 'in_flight') inFlight += 1;
    return this.#counters.snapshot({ pending: this.#entries.size - inFlight, inFlight, bytes: this.#bytes });
  }

  close(): void {
    this.#closed = true;
  }

  #newEntry(message: PreparedMessage, seq: number): HeldEntry {
    return {
      seq,
      messageId: this.#newMessageId(),
      topic: message.topic,
      payload: message.payload,
      qos: message.qos,
      retain: message.retain,
      class: message.class,
      rank: message.rank,
      enqueuedAt: this.#clock.wallNow(),
      expiresAt: message.expiresAt,
      state: 'pending',
      attempts: 0,
      bytes: message.bytes,
    };
  }

  #remove(seq: number, entry: HeldEntry): void {
    this.#entries.delete(seq);
    this.#bytes -= entry.bytes;
  }

  #assertOpen(): void {
    if (this.#closed) throw outboxClosed();
  }
}

function fits(message: PreparedMessage, messages: number, bytes: number, limits: OutboxLimits): boolean {
  return messages + 1 <= limits.maxMessages && bytes + message.bytes <= limits.maxBytes;
}

function isExpired(entry: OutboxEntry, now: number): boolean {
  return entry.expiresAt !== null && entry.expiresAt <= now;
}

/** Pending entries of classes below `belowRank`, lowest class first, oldest first within a class. */
function* evictionOrder(entries: ReadonlyMap<number, HeldEntry>, belowRank: number): Generator<HeldEntry> {
  for (let rank = 0; rank < belowRank; rank += 1) {
    for (const entry of entries.values()) {
      if (entry.rank === rank && entry.state === 'pending') yield entry;
    }
  }
}

/** A copy the caller may keep: its own payload bytes, no internal fields. */
function publicEntry(entry: HeldEntry): OutboxEntry {
  const { rank: _rank, ...rest } = entry;
  return { ...rest, payload: Buffer.from(entry.payload) };
}
