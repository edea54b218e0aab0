import { MyoError } from '../core/errors.js';
import type { Decision } from '../screening/types.js';
import { DECISIONS, EXAM_ID_PATTERN, WALL_TIME_PATTERN, type ExamRecord } from './exam-record.js';
import type { ExamListOptions } from './exam-store.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** A place in the newest-first order: the page continues with records strictly older than this one. */
export interface ListPosition {
  readonly endedAt: string;
  readonly id: string;
}

/** list() options checked and filled in, the same for every store. */
export interface ListQuery {
  readonly limit: number;
  readonly after: ListPosition | null;
  readonly decision: Decision | null;
}

const WALL_TIME = new RegExp(WALL_TIME_PATTERN);
const EXAM_ID = new RegExp(EXAM_ID_PATTERN);
const BASE64URL = /^[A-Za-z0-9_-]{1,400}$/;

function invalid(message: string, details: Record<string, unknown>): MyoError {
  return new MyoError('MYO_ERR_QUERY_INVALID', message, details);
}

/**
 * The cursor is the position of a page's last record. It is keyset paging, not an offset: records saved or dropped
 * meanwhile neither repeat nor skip entries on the following pages.
 */
export function encodeCursor(record: Pick<ExamRecord, 'endedAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([record.endedAt, record.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  const bad = (): MyoError => invalid('cursor is not one this store handed out', { cursor: cursor.slice(0, 64) });
  if (!BASE64URL.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [endedAt, id] = parsed as unknown[];
  if (typeof endedAt !== 'string' || typeof id !== 'string' || !WALL_TIME.test(endedAt) || !EXAM_ID.test(id)) throw bad();
  const position = { endedAt, id };
  // base64url decoding skips what it cannot read; only the exact text this store writes is accepted.
  if (encodeCursor(position) !== cursor) throw bad();
  return position;
}

/** Checks list() options (they may come straight from an HTTP query) and fills in the defaults. */
export function resolveListQuery(options: ExamListOptions = {}): ListQuery {
  const limit = options.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw invalid(`limit must be an integer from 1 to ${MAX_PAGE_LIMIT}, got ${String(limit)}`, { limit });
  }
  const decision = options.decision ?? null;
  if (decision !== null && !DECISIONS.includes(decision)) {
    throw invalid(`decision must be one of ${DECISIONS.join(', ')}, got ${JSON.stringify(decision)}`, { decision });
  }
  const cursor = options.cursor ?? null;
  return { limit, decision, after: cursor === null ? null : decodeCursor(cursor) };
}

/** Newest first: endedAt descending, then id descending (the order both stores use). */
export function newestFirst(a: ListPosition, b: ListPosition): number {
  if (a.endedAt !== b.endedAt) return a.endedAt < b.endedAt ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return 0;
}
