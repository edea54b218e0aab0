import type { Decision } from '../screening/types.js';
import type { ExamRecord } from './exam-record.js';

/** One page of records, newest first; `next` is an opaque cursor for the following page, null on the last one. */
export interface ExamPage {
  readonly items: readonly ExamRecord[];
  readonly next: string | null;
}

export interface ExamListOptions {
  /** 1..500, default 50. */
  readonly limit?: number | undefined;
  /** The `next` of the previous page; null or absent for the first page. */
  readonly cursor?: string | null | undefined;
  /** Only records with this decision. */
  readonly decision?: Decision | undefined;
}

export interface ExamStats {
  readonly total: number;
  /** Every decision is present, with 0 when none is stored. */
  readonly byDecision: Readonly<Record<Decision, number>>;
  /** The newest endedAt, or null when the store is empty. */
  readonly lastEndedAt: string | null;
}

/**
 * Where exam records go: the port the screening pipeline and the API use. Every call is synchronous, so a record
 * that save() returned from is stored (durably so for the SQLite store) before the caller reports the decision.
 * Failures are MyoErrors: MYO_ERR_RECORD_INVALID, MYO_ERR_RECORD_CONFLICT, MYO_ERR_QUERY_INVALID, MYO_ERR_STORE,
 * and MYO_ERR_LIFECYCLE for a call after close().
 */
export interface ExamStore {
  /**
   * Stores a record. Saving an identical record again does nothing (a retry after an unknown outcome is safe);
   * another record under a stored id is refused with MYO_ERR_RECORD_CONFLICT. When the store is over its
   * capacity afterwards, the oldest records (by endedAt, then id) are dropped in the same transaction.
   */
  save(record: ExamRecord): void;
  get(id: string): ExamRecord | null;
  /** Newest first by endedAt, then id. A cursor stays valid while records are added or dropped. */
  list(options?: ExamListOptions): ExamPage;
  count(): number;
  stats(): ExamStats;
  /** Releases the store; calling it again does nothing. */
  close(): void;
}

export const DEFAULT_MAX_RECORDS = 100_000;
