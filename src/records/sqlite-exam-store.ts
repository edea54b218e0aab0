import type Database from 'better-sqlite3';
import { MyoError } from '../core/errors.js';
import { openSqliteFile, sqliteStoreFailure } from '../storage/sqlite-file.js';
import type { Decision } from '../screening/types.js';
import { DECISIONS, type ExamRecord } from './exam-record.js';
import { checkRecordToSave } from './exam-record-check.js';
import type { ExamListOptions, ExamPage, ExamStats, ExamStore } from './exam-store.js';
import { canonicalJson } from './canonical-json.js';
import { encodeCursor, resolveListQuery } from './list-query.js';
import { migrateExamDatabase, readExamSchemaVersion } from './sqlite-exam-schema.js';
import { fromExamRow, toExamRow, type ExamRow } from './sqlite-exam-rows.js';
import { conflictingRecord, resolveMaxRecords, storeClosed } from './store-guards.js';

export interface SqliteExamStoreOptions {
  /** Records kept before the oldest are dropped (default DEFAULT_MAX_RECORDS). */
  readonly maxRecords?: number | undefined;
}

interface Statements {
  readonly byId: Database.Statement<[string], ExamRow>;
  readonly insert: Database.Statement<[ExamRow]>;
  readonly count: Database.Statement<[], number>;
  readonly dropOldest: Database.Statement<[number]>;
  readonly newest: Database.Statement<[number], ExamRow>;
  readonly newestAfter: Database.Statement<[string, string, number], ExamRow>;
  readonly newestOfDecision: Database.Statement<[string, number], ExamRow>;
  readonly newestOfDecisionAfter: Database.Statement<[string, string, string, number], ExamRow>;
  readonly countByDecision: Database.Statement<[], { decision: string; total: number }>;
  readonly lastEndedAt: Database.Statement<[], string | null>;
}

const COLUMNS = 'id, ended_at, decision, body';
const NEWEST_FIRST = 'ORDER BY ended_at DESC, id DESC LIMIT ?';

function prepareStatements(db: Database.Database): Statements {
  return {
    byId: db.prepare(`SELECT ${COLUMNS} FROM exams WHERE id = ?`),
    insert: db.prepare('INSERT INTO exams (id, ended_at, decision, body) VALUES (@id, @ended_at, @decision, @body)'),
    count: db.prepare<[], number>('SELECT count(*) FROM exams').pluck(),
    dropOldest: db.prepare('DELETE FROM exams WHERE id IN (SELECT id FROM exams ORDER BY ended_at ASC, id ASC LIMIT ?)'),
    newest: db.prepare(`SELECT ${COLUMNS} FROM exams ${NEWEST_FIRST}`),
    // Row values compare column by column: exactly "older than the cursor" in the (ended_at, id) order.
    newestAfter: db.prepare(`SELECT ${COLUMNS} FROM exams WHERE (ended_at, id) < (?, ?) ${NEWEST_FIRST}`),
    newestOfDecision: db.prepare(`SELECT ${COLUMNS} FROM exams WHERE decision = ? ${NEWEST_FIRST}`),
    newestOfDecisionAfter: db.prepare(`SELECT ${COLUMNS} FROM exams WHERE decision = ? AND (ended_at, id) < (?, ?) ${NEWEST_FIRST}`),
    countByDecision: db.prepare('SELECT decision, count(*) AS total FROM exams GROUP BY decision'),
    lastEndedAt: db.prepare<[], string | null>('SELECT max(ended_at) FROM exams').pluck(),
  };
}

const EXAM_STORE = { what: 'exam record store', readSchemaVersion: readExamSchemaVersion, migrate: migrateExamDatabase } as const;

/** Any failure below this class as a MYO_ERR_STORE naming the file; MyoErrors keep their own code. */
function storeFailure(action: string, path: string, error: unknown): MyoError {
  return sqliteStoreFailure(EXAM_STORE.what, action, path, error);
}

export class SqliteExamStore implements ExamStore {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #maxRecords: number;
  readonly #statements: Statements;
  readonly #saveTransaction: Database.Transaction<(row: ExamRow, canonical: string) => void>;
  readonly #statsSnapshot: Database.Transaction<() => { groups: { decision: string; total: number }[]; lastEndedAt: string | null }>;
  #closed = false;

  private constructor(db: Database.Database, path: string, maxRecords: number) {
    this.#db = db;
    this.#path = path;
    this.#maxRecords = maxRecords;
    this.#statements = prepareStatements(db);
    this.#saveTransaction = db.transaction((row: ExamRow, canonical: string) => this.#saveInTransaction(row, canonical));
    // Both aggregates in one read transaction, so the total and the newest date describe the same moment.
    this.#statsSnapshot = db.transaction(() => ({
      groups: this.#statements.countByDecision.all(),
      lastEndedAt: this.#statements.lastEndedAt.get() ?? null,
    }));
  }

  /**
   * Opens the store at `path`, creating the folder and the database when missing and migrating an older schema.
   * A file that is not a SQLite database, is damaged, holds something else or comes from a newer daemon is a
   * MYO_ERR_STORE and is left exactly as it is: records are never thrown away to get a fresh store.
   */
  static open(path: string, opts: SqliteExamStoreOptions = {}): SqliteExamStore {
    const maxRecords = resolveMaxRecords(opts.maxRecords);
    // One save() per exam, each fsynced (synchronous = FULL): a record save() returned from survives a power cut.
    const { db, file } = openSqliteFile(path, EXAM_STORE);
    return new SqliteExamStore(db, file, maxRecords);
  }

  /** The absolute path of the database file. */
  get path(): string {
    return this.#path;
  }

  save(record: ExamRecord): void {
    this.#assertOpen();
    const checked = checkRecordToSave(record);
    try {
      // IMMEDIATE takes the write lock before the id is looked up, so the check and the insert cannot interleave
      // with another writer. The commit has been fsynced (synchronous = FULL) when this returns.
      this.#saveTransaction.immediate(toExamRow(checked), canonicalJson(checked));
    } catch (error) {
      throw storeFailure(`save exam record ${checked.id}`, this.#path, error);
    }
  }

  get(id: string): ExamRecord | null {
    this.#assertOpen();
    const row = this.#read(`read exam record ${id}`, () => this.#statements.byId.get(id));
    return row === undefined ? null : fromExamRow(row);
  }

  list(options: ExamListOptions = {}): ExamPage {
    this.#assertOpen();
    const query = resolveListQuery(options);
    // One row more than the page shows whether there is a next page without a count.
    const wanted = query.limit + 1;
    const { after, decision } = query;
    const s = this.#statements;
    const rows = this.#read('list exam records', () => {
      if (decision === null) return after === null ? s.newest.all(wanted) : s.newestAfter.all(after.endedAt, after.id, wanted);
      return after === null ? s.newestOfDecision.all(decision, wanted) : s.newestOfDecisionAfter.all(decision, after.endedAt, after.id, wanted);
    });
    const items = rows.slice(0, query.limit).map(fromExamRow);
    const last = items.at(-1);
    return { items, next: rows.length > query.limit && last !== undefined ? encodeCursor(last) : null };
  }

  count(): number {
    this.#assertOpen();
    return this.#read('count exam records', () => this.#statements.count.get() ?? 0);
  }

  stats(): ExamStats {
    this.#assertOpen();
    const { groups, lastEndedAt } = this.#read('summarise exam records', () => this.#statsSnapshot.deferred());
    const byDecision = Object.fromEntries(DECISIONS.map((decision) => [decision, 0])) as Record<Decision, number>;
    let total = 0;
    for (const group of groups) {
      if (!(DECISIONS as readonly string[]).includes(group.decision)) {
        throw new MyoError('MYO_ERR_STORE', `exam record store ${this.#path} holds an unknown decision ${group.decision}`, {
          path: this.#path,
          decision: group.decision,
        });
      }
      byDecision[group.decision as Decision] = group.total;
      total += group.total;
    }
    return { total, byDecision, lastEndedAt };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #saveInTransaction(row: ExamRow, canonical: string): void {
    const existing = this.#statements.byId.get(row.id);
    if (existing !== undefined) {
      // The same record again (a retry after an unknown outcome) is fine; different content under its id is not.
      if (canonicalJson(fromExamRow(existing)) === canonical) return;
      throw conflictingRecord(row.id);
    }
    this.#statements.insert.run(row);
    const total = this.#statements.count.get() ?? 0;
    if (total > this.#maxRecords) this.#statements.dropOldest.run(total - this.#maxRecords);
  }

  #read<T>(action: string, query: () => T): T {
    try {
      return query();
    } catch (error) {
      throw storeFailure(action, this.#path, error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw storeClosed();
  }
}
