import type Database from 'better-sqlite3';
import { MyoError } from '../../core/errors.js';

type Migration = (db: Database.Database) => void;

/**
 * Migration n takes the outbox database from schema version n to n + 1 (SQLite's `user_version`). Append a step per
 * change and never edit one that has shipped: carts in the field run them on entries they still hold.
 */
const MIGRATIONS: readonly Migration[] = [
  (db) => {
    // AUTOINCREMENT, not a plain rowid: seq must never be reused after the newest entries were acked, or a consumer
    // ordering by seq across a restart would see time run backwards. STRICT refuses values of the wrong type.
    db.exec(`
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id TEXT NOT NULL UNIQUE,
        topic TEXT NOT NULL,
        payload BLOB NOT NULL,
        qos INTEGER NOT NULL CHECK (qos IN (0, 1)),
        retain INTEGER NOT NULL CHECK (retain IN (0, 1)),
        class TEXT NOT NULL,
        rank INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        enqueued_at INTEGER NOT NULL,
        expires_at INTEGER,
        in_flight INTEGER NOT NULL DEFAULT 0 CHECK (in_flight IN (0, 1)),
        attempts INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX outbox_delivery ON outbox (in_flight, seq);
      CREATE INDEX outbox_eviction ON outbox (in_flight, rank, seq);
      CREATE INDEX outbox_expiry ON outbox (expires_at) WHERE expires_at IS NOT NULL;
    `);
  },
];

export const OUTBOX_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The schema version of an outbox file (0 for a new, empty database), read without writing. A file from a newer
 * daemon, or a SQLite database holding something else, is a MYO_ERR_STORE and is not touched.
 */
export function readOutboxSchemaVersion(db: Database.Database, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > OUTBOX_SCHEMA_VERSION) {
    throw new MyoError(
      'MYO_ERR_STORE',
      `outbox ${path} has schema version ${version}, newer than the ${OUTBOX_SCHEMA_VERSION} this daemon knows; it was left unchanged`,
      { path, version, supported: OUTBOX_SCHEMA_VERSION },
    );
  }
  if (version === 0) {
    const objects = db.prepare<[], number>('SELECT count(*) FROM sqlite_schema').pluck().get() ?? 0;
    if (objects > 0) throw new MyoError('MYO_ERR_STORE', `${path} is a SQLite database but not an outbox; it was left unchanged`, { path });
  }
  return version;
}

/** Brings the file to OUTBOX_SCHEMA_VERSION in one immediate transaction; a failed step leaves the old version. */
export function migrateOutboxDatabase(db: Database.Database, path: string): void {
  db.transaction(() => {
    const version = readOutboxSchemaVersion(db, path);
    for (let step = version; step < OUTBOX_SCHEMA_VERSION; step += 1) MIGRATIONS[step]?.(db);
    if (version !== OUTBOX_SCHEMA_VERSION) db.pragma(`user_version = ${OUTBOX_SCHEMA_VERSION}`);
  }).immediate();
}
