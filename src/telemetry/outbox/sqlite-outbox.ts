import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../core/clock.js';
import { isMyoError } from '../../core/errors.js';
import { planEviction, type EvictionCandidate, type OutboxTotals } from './eviction.js';
import { createMessageIdGenerator } from './message-id.js';
import type { Outbox, OutboxClass, OutboxEntry, OutboxLimits, OutboxMessage, OutboxStats } from './outbox.js';
import { OutboxCounters } from './outbox-counters.js';
import { checkPeekLimit, outboxClosed, resolveOutboxLimits, type OutboxLimitOptions } from './outbox-limits.js';
import { prepareMessage, type PreparedMessage } from './outbox-message.js';
import { openOutboxDatabase, outboxStoreFailure } from './sqlite-outbox-file.js';
import { fromOutboxRow, OUTBOX_COLUMNS, toInsertRow, type OutboxInsertRow, type OutboxRow } from './sqlite-outbox-rows.js';

export interface SqliteOutboxOptions extends OutboxLimitOptions {
  readonly clock?: Clock | undefined;
  /** Message id source (default: a ULID-layout generator on the clock's wall time). */
  readonly newMessageId?: (() => string) | undefined;
}

interface Statements {
  readonly insert: Database.Statement<[OutboxInsertRow], number>;
  readonly totals: Database.Statement<[], OutboxTotals>;
  readonly inFlightCount: Database.Statement<[], number>;
  readonly oldestPending: Database.Statement<[number], OutboxRow>;
  readonly dropExpired: Database.Statement<[number], { bytes: number }>;
  readonly evictionOrder: Database.Statement<[number], EvictionCandidate & { class: OutboxClass }>;
  readonly deleteOne: Database.Statement<[number], { bytes: number }>;
  readonly toInFlight: Database.Statement<[number]>;
  readonly toPending: Database.Statement<[number]>;
  readonly allToPending: Database.Statement<[]>;
}

function prepareStatements(db: Database.Database): Statements {
  return {
    insert: db
      .prepare<[OutboxInsertRow], number>(
        `INSERT INTO outbox (message_id, topic, payload, qos, retain, class, rank, bytes, enqueued_at, expires_at)
         VALUES (@message_id, @topic, @payload, @qos, @retain, @class, @rank, @bytes, @enqueued_at, @expires_at) RETURNING seq`,
      )
      .pluck(),
    totals: db.prepare('SELECT count(*) AS messages, coalesce(sum(bytes), 0) AS bytes FROM outbox'),
    inFlightCount: db.prepare<[], number>('SELECT count(*) FROM outbox WHERE in_flight = 1').pluck(),
    oldestPending: db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE in_flight = 0 ORDER BY seq LIMIT ?`),
    dropExpired: db.prepare('DELETE FROM outbox WHERE expires_at IS NOT NULL AND expires_at <= ? AND in_flight = 0 RETURNING bytes'),
    evictionOrder: db.prepare('SELECT seq, rank, bytes, class FROM outbox WHERE in_flight = 0 AND rank < ? ORDER BY rank, seq'),
    deleteOne: db.prepare('DELETE FROM outbox WHERE seq = ? RETURNING bytes'),
    toInFlight: db.prepare('UPDATE outbox SET in_flight = 1, attempts = attempts + 1 WHERE seq = ? AND in_flight = 0'),
    toPending: db.prepare('UPDATE outbox SET in_flight = 0 WHERE seq = ? AND in_flight = 1'),
    allToPending: db.prepare('UPDATE outbox SET in_flight = 0 WHERE in_flight = 1'),
  };
}

/** What one enqueue transaction did, applied to the counters only once it has committed. */
interface EnqueueOutcome {
  readonly entries: OutboxEntry[];
  readonly totals: OutboxTotals;
  readonly evicted: OutboxClass[];
  readonly expired: number;
}

/**
 * The Outbox on SQLite (WAL, synchronous = FULL): an entry enqueue() returned is on disk, and survives a SIGKILL or
 * a power cut. One process owns an outbox file: the held count and bytes are kept in memory (read once at open) so
 * an enqueue does not scan the table to check the limits.
 */
export class SqliteOutbox implements Outbox {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #limits: OutboxLimits;
  readonly #clock: Clock;
  readonly #newMessageId: () => string;
  readonly #statements: Statements;
  readonly #counters = new OutboxCounters();
  readonly #enqueueTransaction: Database.Transaction<(messages: readonly PreparedMessage[]) => EnqueueOutcome>;
  readonly #peekTransaction: Database.Transaction<(limit: number, now: number) => { rows: OutboxRow[]; expired: number; freed: number }>;
  #totals: OutboxTotals;
  #closed = false;

  private constructor(db: Database.Database, path: string, limits: OutboxLimits, opts: SqliteOutboxOptions) {
    this.#db = db;
    this.#path = path;
    this.#limits = limits;
    const clock = opts.clock ?? systemClock;
    this.#clock = clock;
    this.#newMessageId = opts.newMessageId ?? createMessageIdGenerator({ now: () => clock.wallNow() });
    this.#statements = prepareStatements(db);
    this.#totals = this.#statements.totals.get() ?? { messages: 0, bytes: 0 };
    this.#enqueueTransaction = db.transaction((messages: readonly PreparedMessage[]) => this.#enqueueInTransaction(messages));
    this.#peekTransaction = db.transaction((limit: number, now: number) => {
      const dropped = this.#statements.dropExpired.all(now);
      return { expired: dropped.length, freed: dropped.reduce((sum, row) => sum + row.bytes, 0), rows: this.#statements.oldestPending.all(limit) };
    });
  }

  /** Opens the outbox at `path`, creating and migrating it as needed; see openOutboxDatabase for what is refused. */
  static open(path: string, opts: SqliteOutboxOptions = {}): SqliteOutbox {
    const limits = resolveOutboxLimits(opts);
    const { db, file } = openOutboxDatabase(path);
    try {
      return new SqliteOutbox(db, file, limits, opts);
    } catch (error) {
      db.close();
      throw outboxStoreFailure('read it', file, error);
    }
  }

  /** The absolute path of the database file. */
  get path(): string {
    return this.#path;
  }

  enqueue(message: OutboxMessage): OutboxEntry {
    const [entry] = this.enqueueMany([message]);
    if (entry === undefined) throw new Error('unreachable: one message in, one entry out');
    return entry;
  }

  enqueueMany(messages: readonly OutboxMessage[]): OutboxEntry[] {
    this.#assertOpen();
    const prepared = messages.map(prepareMessage);
    let outcome: EnqueueOutcome;
    try {
      // IMMEDIATE: the limits are checked and the rows written under one write lock. The commit is fsynced
      // (synchronous = FULL) before this returns; a throw rolls back every message of the batch.
      outcome = this.#enqueueTransaction.immediate(prepared);
    } catch (error) {
      if (isMyoError(error, 'MYO_ERR_OUTBOX_FULL')) this.#counters.refused();
      throw outboxStoreFailure(`enqueue ${String(messages.length)} message(s)`, this.#path, error);
    }
    this.#totals = outcome.totals;
    for (const evictedClass of outcome.evicted) this.#counters.evicted(evictedClass);
    this.#counters.expired(outcome.expired);
    this.#counters.enqueued(outcome.entries.length);
    return outcome.entries;
  }

  peek(limit: number): OutboxEntry[] {
    this.#assertOpen();
    checkPeekLimit(limit);
    const { rows, expired, freed } = this.#write('peek', () => this.#peekTransaction.immediate(limit, this.#clock.wallNow()));
    if (expired > 0) {
      this.#totals = { messages: this.#totals.messages - expired, bytes: this.#totals.bytes - freed };
      this.#counters.expired(expired);
    }
    return rows.map((row) => fromOutboxRow(row, this.#path));
  }

  markInFlight(seq: number): boolean {
    this.#assertOpen();
    return this.#write(`mark entry ${seq} in flight`, () => this.#statements.toInFlight.run(seq).changes === 1);
  }

  ack(seq: number): boolean {
    this.#assertOpen();
    const deleted = this.#write(`ack entry ${seq}`, () => this.#statements.deleteOne.get(seq));
    if (deleted === undefined) return false;
    this.#totals = { messages: this.#totals.messages - 1, bytes: this.#totals.bytes - deleted.bytes };
    this.#counters.acked();
    return true;
  }

  nack(seq: number): boolean {
    this.#assertOpen();
    return this.#write(`nack entry ${seq}`, () => this.#statements.toPending.run(seq).changes === 1);
  }

  recoverInFlight(): number {
    this.#assertOpen();
    return this.#write('recover in-flight entries', () => this.#statements.allToPending.run().changes);
  }

  size(): number {
    this.#assertOpen();
    return this.#totals.messages;
  }

  bytes(): number {
    this.#assertOpen();
    return this.#totals.bytes;
  }

  stats(): OutboxStats {
    this.#assertOpen();
    const inFlight = this.#write('count in-flight entries', () => this.#statements.inFlightCount.get() ?? 0);
    return this.#counters.snapshot({ pending: this.#totals.messages - inFlight, inFlight, bytes: this.#totals.bytes });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #enqueueInTransaction(messages: readonly PreparedMessage[]): EnqueueOutcome {
    const s = this.#statements;
    let totals = this.#totals;
    const entries: OutboxEntry[] = [];
    const evicted: OutboxClass[] = [];
    let expired = 0;
    const now = this.#clock.wallNow();
    for (const message of messages) {
      if (totals.messages + 1 > this.#limits.maxMessages || totals.bytes + message.bytes > this.#limits.maxBytes) {
        // Expired entries are worthless: they go before anything that could still be delivered is evicted.
        const dropped = s.dropExpired.all(now);
        expired += dropped.length;
        totals = { messages: totals.messages - dropped.length, bytes: totals.bytes - dropped.reduce((sum, row) => sum + row.bytes, 0) };
      }
      // The candidate query is read lazily and only as far as needed; it must be closed before the next statement
      // runs on this connection, including when planEviction refuses the message.
      const candidates = s.evictionOrder.iterate(message.rank);
      let victims: (EvictionCandidate & { class: OutboxClass })[];
      try {
        victims = planEviction(message, totals, this.#limits, candidates);
      } finally {
        candidates.return?.();
      }
      for (const victim of victims) {
        s.deleteOne.get(victim.seq);
        evicted.push(victim.class);
        totals = { messages: totals.messages - 1, bytes: totals.bytes - victim.bytes };
      }
      const messageId = this.#newMessageId();
      const row = toInsertRow(message, messageId, now);
      const seq = s.insert.get(row);
      if (seq === undefined) throw new Error('unreachable: INSERT ... RETURNING gave no row');
      totals = { messages: totals.messages + 1, bytes: totals.bytes + message.bytes };
      entries.push({
        seq,
        messageId,
        topic: message.topic,
        payload: Buffer.from(message.payload),
        qos: message.qos,
        retain: message.retain,
        class: message.class,
        enqueuedAt: row.enqueued_at,
        expiresAt: row.expires_at,
        state: 'pending',
        attempts: 0,
        bytes: message.bytes,
      });
    }
    return { entries, totals, evicted, expired };
  }

  #write<T>(action: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw outboxStoreFailure(action, this.#path, error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw outboxClosed();
  }
}
