import { MyoError } from '../../core/errors.js';
import { DEFAULT_OUTBOX_LIMITS, type OutboxLimits } from './outbox.js';

export interface OutboxLimitOptions {
  readonly maxMessages?: number | undefined;
  readonly maxBytes?: number | undefined;
}

/** The limits an outbox keeps: positive integers, the defaults where not given. */
export function resolveOutboxLimits(opts: OutboxLimitOptions): OutboxLimits {
  const limits = { maxMessages: opts.maxMessages ?? DEFAULT_OUTBOX_LIMITS.maxMessages, maxBytes: opts.maxBytes ?? DEFAULT_OUTBOX_LIMITS.maxBytes };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new MyoError('MYO_ERR_CONFIG_INVALID', `outbox ${name} must be a positive integer, got ${String(value)}`, { [name]: value });
    }
  }
  return limits;
}

export function outboxClosed(): MyoError {
  return new MyoError('MYO_ERR_LIFECYCLE', 'outbox is closed');
}

/** A limit passed to peek(): a positive integer. */
export function checkPeekLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new MyoError('MYO_ERR_OUTBOX_MESSAGE_INVALID', `outbox peek limit must be a positive integer, got ${String(limit)}`, { limit });
  }
}
