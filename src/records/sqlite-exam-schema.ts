import type Database from 'better-sqlite3';
import { MyoError } from '../core/errors.js';

type Migration = (db: Database.Database) => void;

/**
 * Migration n takes the database from schema version n to n + 1; the version lives in SQLite's `user_version`.
 * Add a step at the end for each change and never edit a step that has shipped: devices in the field run them.
 */
const MIGRATIONS: readonly Migration[] = [
  (db) => {
    // Only what list() filters and sorts on has a column; the rest of the record is JSON, so a field added to the
    // record needs no table change. STRICT makes SQLite refuse a value of the wrong type instead of storing it.
    db.exec(`
      CREATE TABLE exams (
        id TEXT NOT NULL PRIMARY KEY,
        ended_at TEXT NOT NULL,
        decision TEXT NOT NULL,
        body TEXT NOT NULL
      ) STRICT;
      CREATE INDEX exams_by_end ON exams (ended_at, id);
      CREATE INDEX exams_by_decision_end ON exams (decision, ended_at, id);
    `);
  },
];

export const EXAM_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The schema version of an exam record store (0 for a new, empty database), read without writing anything. A file
 * from a newer daemon, or a SQLite database that holds something else, is a MYO_ERR_STORE: it is not ours to change.
 */
export function readExamSchemaVersion(db: Database.Database, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > EXAM_SCHEMA_VERSION) {
    throw new MyoError(
      'MYO_ERR_STORE',
      `exam record store ${path} has schema version ${version}, newer than the ${EXAM_SCHEMA_VERSION} this daemon knows; it was left unchanged`,
      { path, version, supported: EXAM_SCHEMA_VERSION },
    );
  }
  if (version === 0) {
    const objects = db.prepare<[], number>('SELECT count(*) FROM sqlite_schema').pluck().get() ?? 0;
    if (objects > 0) {
      throw new MyoError('MYO_ERR_STORE', `${path} is a SQLite database but not an exam record store; it was left unchanged`, { path });
    }
  }
  return version;
}

/**
 * Brings the database to EXAM_SCHEMA_VERSION in one immediate transaction: a second process opening the same file
 * waits and then finds nothing to do, and a failed step leaves the previous version intact.
 */
export function migrateExamDatabase(db: Database.Database, path: string): void {
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated since the caller looked.
    const version = readExamSchemaVersion(db, path);
    for (let step = version; step < EXAM_SCHEMA_VERSION; step += 1) {
      MIGRATIONS[step]?.(db);
    }
    if (version !== EXAM_SCHEMA_VERSION) db.pragma(`user_version = ${EXAM_SCHEMA_VERSION}`);
  }).immediate();
}
