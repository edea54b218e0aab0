import { MyoError } from '../../core/errors.js';
import { OUTBOX_CLASSES, type OutboxClass, type OutboxEntry } from './outbox.js';
import type { PreparedMessage } from './outbox-message.js';

/** One row of the outbox table as better-sqlite3 returns it. */
export interface OutboxRow {
  readonly seq: number;
  readonly message_id: string;
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  readonly retain: number;
  readonly class: string;
  readonly bytes: number;
  readonly enqueued_at: number;
  readonly expires_at: number | null;
  readonly in_flight: number;
  readonly attempts: number;
}

export const OUTBOX_COLUMNS = 'seq, message_id, topic, payload, qos, retain, class, bytes, enqueued_at, expires_at, in_flight, attempts';

/** The named parameters of the insert statement. */
export interface OutboxInsertRow {
  readonly message_id: string;
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  readonly retain: number;
  readonly class: string;
  readonly rank: number;
  readonly bytes: number;
  readonly enqueued_at: number;
  readonly expires_at: number | null;
}

export function toInsertRow(message: PreparedMessage, messageId: string, enqueuedAt: number): OutboxInsertRow {
  return {
    message_id: messageId,
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain ? 1 : 0,
    class: message.class,
    rank: message.rank,
    bytes: message.bytes,
    enqueued_at: Math.round(enqueuedAt),
    expires_at: message.expiresAt === null ? null : Math.round(message.expiresAt),
  };
}

/** A row read back; a class this daemon does not know means the file was written by something else. */
export function fromOutboxRow(row: OutboxRow, path: string): OutboxEntry {
  if (!(OUTBOX_CLASSES as readonly string[]).includes(row.class)) {
    throw new MyoError('MYO_ERR_STORE', `outbox ${path} holds entry ${row.seq} of unknown class ${row.class}`, { path, seq: row.seq, class: row.class });
  }
  return {
    seq: row.seq,
    messageId: row.message_id,
    topic: row.topic,
    payload: row.payload,
    qos: row.qos === 1 ? 1 : 0,
    retain: row.retain === 1,
    class: row.class as OutboxClass,
    enqueuedAt: row.enqueued_at,
    expiresAt: row.expires_at,
    state: row.in_flight === 1 ? 'in_flight' : 'pending',
    attempts: row.attempts,
    bytes: row.bytes,
  };
}
