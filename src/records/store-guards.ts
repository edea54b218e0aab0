import { MyoError } from '../core/errors.js';
import { DEFAULT_MAX_RECORDS } from './exam-store.js';

/** The capacity a store keeps: a positive integer, DEFAULT_MAX_RECORDS when not given. */
export function resolveMaxRecords(maxRecords: number | undefined): number {
  const value = maxRecords ?? DEFAULT_MAX_RECORDS;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new MyoError('MYO_ERR_CONFIG_INVALID', `maxRecords must be a positive integer, got ${String(value)}`, { maxRecords: value });
  }
  return value;
}

export function conflictingRecord(id: string): MyoError {
  return new MyoError('MYO_ERR_RECORD_CONFLICT', `exam record ${id} is already stored with different content`, { id });
}

export function storeClosed(): MyoError {
  return new MyoError('MYO_ERR_LIFECYCLE', 'exam record store is closed');
}
