import { MyoError } from '../../core/errors.js';
import type { OutboxLimits } from './outbox.js';
import type { PreparedMessage } from './outbox-message.js';

/** An entry that may be evicted: pending and of a strictly lower class than the incoming message. */
export interface EvictionCandidate {
  readonly seq: number;
  readonly rank: number;
  readonly bytes: number;
}

export interface OutboxTotals {
  readonly messages: number;
  readonly bytes: number;
}

/**
 * Which entries to drop so `incoming` fits, taking candidates in the order given (the caller lists pending entries
 * of lower classes, lowest class first, oldest first within a class) and stopping as soon as it fits. Throws
 * MYO_ERR_OUTBOX_FULL, having chosen nothing, when even all of them are not enough: a message never pushes out one
 * of its own class or a higher one, so a flood of events cannot cost an exam summary.
 */
export function planEviction<Candidate extends EvictionCandidate>(
  incoming: PreparedMessage,
  totals: OutboxTotals,
  limits: OutboxLimits,
  candidates: Iterable<Candidate>,
): Candidate[] {
  if (incoming.bytes > limits.maxBytes) throw outboxFull(incoming, totals, limits, 'larger than maxBytes on its own');
  let messages = totals.messages + 1;
  let bytes = totals.bytes + incoming.bytes;
  const chosen: Candidate[] = [];
  for (const candidate of candidates) {
    if (messages <= limits.maxMessages && bytes <= limits.maxBytes) break;
    if (candidate.rank >= incoming.rank) break;
    chosen.push(candidate);
    messages -= 1;
    bytes -= candidate.bytes;
  }
  if (messages > limits.maxMessages || bytes > limits.maxBytes) {
    throw outboxFull(incoming, totals, limits, 'full of messages of this class or higher');
  }
  return chosen;
}

function outboxFull(incoming: PreparedMessage, totals: OutboxTotals, limits: OutboxLimits, reason: string): MyoError {
  return new MyoError('MYO_ERR_OUTBOX_FULL', `outbox refused a ${incoming.class} message for ${incoming.topic}: ${reason}`, {
    class: incoming.class,
    topic: incoming.topic,
    bytes: incoming.bytes,
    heldMessages: totals.messages,
    heldBytes: totals.bytes,
    maxMessages: limits.maxMessages,
    maxBytes: limits.maxBytes,
  });
}
