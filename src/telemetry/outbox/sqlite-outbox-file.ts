import type Database from 'better-sqlite3';
import type { MyoError } from '../../core/errors.js';
import { openSqliteFile, sqliteStoreFailure } from '../../storage/sqlite-file.js';
import { migrateOutboxDatabase, readOutboxSchemaVersion } from './sqlite-outbox-schema.js';

const OUTBOX = { what: 'outbox', readSchemaVersion: readOutboxSchemaVersion, migrate: migrateOutboxDatabase } as const;

/** Any failure below the outbox as a MYO_ERR_STORE naming the file; MyoErrors keep their own code. */
export function outboxStoreFailure(action: string, path: string, error: unknown): MyoError {
  return sqliteStoreFailure(OUTBOX.what, action, path, error);
}

/**
 * Opens (creating folder and file when missing) and migrates the outbox database at `path`; a file that is not an
 * outbox, is damaged or is newer is a MYO_ERR_STORE and left as it was (src/storage/sqlite-file.ts). enqueue()
 * promises the message is on disk when it returns, which synchronous = FULL gives.
 */
export function openOutboxDatabase(path: string): { db: Database.Database; file: string } {
  return openSqliteFile(path, OUTBOX);
}
