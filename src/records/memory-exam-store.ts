import type { Decision } from '../screening/types.js';
import { DECISIONS, type ExamRecord } from './exam-record.js';
import { checkRecordToSave, checkStoredRecord } from './exam-record-check.js';
import type { ExamListOptions, ExamPage, ExamStats, ExamStore } from './exam-store.js';
import { canonicalJson } from './canonical-json.js';
import { encodeCursor, newestFirst, resolveListQuery } from './list-query.js';
import { conflictingRecord, resolveMaxRecords, storeClosed } from './store-guards.js';

export interface MemoryExamStoreOptions {
  /** Records kept before the oldest are dropped (default DEFAULT_MAX_RECORDS). */
  readonly maxRecords?: number | undefined;
}

/**
 * The ExamStore contract without a disk, for tests and runs that must leave nothing behind. Records are kept as
 * JSON text, so what a caller does to an object it saved or got back never reaches the store.
 */
export class MemoryExamStore implements ExamStore {
  readonly #json = new Map<string, string>();
  readonly #maxRecords: number;
  #closed = false;

  constructor(opts: MemoryExamStoreOptions = {}) {
    this.#maxRecords = resolveMaxRecords(opts.maxRecords);
  }

  save(record: ExamRecord): void {
    this.#assertOpen();
    const checked = checkRecordToSave(record);
    const existing = this.#json.get(checked.id);
    if (existing !== undefined) {
      if (canonicalJson(JSON.parse(existing)) === canonicalJson(checked)) return;
      throw conflictingRecord(checked.id);
    }
    this.#json.set(checked.id, JSON.stringify(checked));
    if (this.#json.size > this.#maxRecords) {
      const oldestFirst = this.#all().reverse();
      for (const dropped of oldestFirst.slice(0, this.#json.size - this.#maxRecords)) this.#json.delete(dropped.id);
    }
  }

  get(id: string): ExamRecord | null {
    this.#assertOpen();
    const json = this.#json.get(id);
    return json === undefined ? null : checkStoredRecord(JSON.parse(json), id);
  }

  list(options: ExamListOptions = {}): ExamPage {
    this.#assertOpen();
    const { limit, after, decision } = resolveListQuery(options);
    const matching = this.#all().filter(
      (record) => (decision === null || record.decision === decision) && (after === null || newestFirst(record, after) > 0),
    );
    const items = matching.slice(0, limit);
    const last = items.at(-1);
    return { items, next: matching.length > limit && last !== undefined ? encodeCursor(last) : null };
  }

  count(): number {
    this.#assertOpen();
    return this.#json.size;
  }

  stats(): ExamStats {
    this.#assertOpen();
    const all = this.#all();
    const byDecision = Object.fromEntries(DECISIONS.map((decision) => [decision, 0])) as Record<Decision, number>;
    for (const record of all) byDecision[record.decision] += 1;
    return { total: all.length, byDecision, lastEndedAt: all[0]?.endedAt ?? null };
  }

  close(): void {
    this.#closed = true;
  }

  /** Every record, newest first. */
  #all(): ExamRecord[] {
    return [...this.#json].map(([id, json]) => checkStoredRecord(JSON.parse(json), id)).sort(newestFirst);
  }

  #assertOpen(): void {
    if (this.#closed) throw storeClosed();
  }
}
