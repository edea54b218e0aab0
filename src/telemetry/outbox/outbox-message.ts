import { MyoError } from '../../core/errors.js';
import { classRank, OUTBOX_CLASSES, type OutboxClass, type OutboxMessage } from './outbox.js';

/** A message checked and normalised for storage: payload as bytes, its size and class rank worked out. */
export interface PreparedMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  readonly class: OutboxClass;
  readonly rank: number;
  readonly bytes: number;
  readonly expiresAt: number | null;
}

function invalid(reason: string, details: Record<string, unknown> = {}): MyoError {
  return new MyoError('MYO_ERR_OUTBOX_MESSAGE_INVALID', `outbox message refused: ${reason}`, details);
}

/**
 * Checks a message at the door, so a bad one fails its caller instead of sitting in the outbox and failing every
 * drain after a restart. Values are checked at run time too: publishers build messages from config and commands.
 */
export function prepareMessage(message: OutboxMessage): PreparedMessage {
  const { topic, payload, retain, expiresAt } = message;
  const messageClass: unknown = message.class;
  const qos: unknown = message.qos;
  if (typeof topic !== 'string' || topic.length === 0 || /[+#]/.test(topic) || topic.includes('\u0000') || Buffer.byteLength(topic) > 65_535) {
    throw invalid('topic must be a non-empty publish topic without wildcards', { topic });
  }
  if (qos !== 0 && qos !== 1) throw invalid('qos must be 0 or 1', { qos });
  if (typeof retain !== 'boolean') throw invalid('retain must be a boolean', { retain });
  if (typeof messageClass !== 'string' || !(OUTBOX_CLASSES as readonly string[]).includes(messageClass)) {
    throw invalid(`class must be one of ${OUTBOX_CLASSES.join(', ')}`, { class: messageClass });
  }
  if (expiresAt !== undefined && expiresAt !== null && !Number.isFinite(expiresAt)) {
    throw invalid('expiresAt must be epoch milliseconds or null', { expiresAt });
  }
  let bytes: Buffer;
  if (Buffer.isBuffer(payload)) bytes = Buffer.from(payload);
  else if (typeof payload === 'string') bytes = Buffer.from(payload, 'utf8');
  else throw invalid('payload must be a Buffer or a string');
  const checkedClass = messageClass as OutboxClass;
  return {
    topic,
    payload: bytes,
    qos: qos === 1 ? 1 : 0,
    retain,
    class: checkedClass,
    rank: classRank(checkedClass),
    bytes: bytes.length + Buffer.byteLength(topic),
    expiresAt: expiresAt ?? null,
  };
}
