import { closeSync, existsSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { isMyoError, MyoError } from '../../core/errors.js';
import { migrateOutboxDatabase, readOutboxSchemaVersion } from './sqlite-outbox-schema.js';

/** How long a statement waits for another connection's lock (a CLI inspecting the outbox) before failing. */
const BUSY_TIMEOUT_MS = 5000;

/** Any failure below the outbox as a MYO_ERR_STORE naming the file; MyoErrors keep their own code. */
export function outboxStoreFailure(action: string, path: string, error: unknown): MyoError {
  if (isMyoError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const sqliteCode = error instanceof Database.SqliteError ? error.code : undefined;
  return new MyoError('MYO_ERR_STORE', `outbox ${path}: cannot ${action}: ${message}`, { path, sqliteCode }, { cause: error });
}

/** fsync on a new file does not cover its directory entry: without this a power cut can make the whole file vanish. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Damage (a torn write on a failing card) shows at open, not as a failing drain in the middle of a shift. */
function checkIntegrity(db: Database.Database, path: string): void {
  const problems = db.prepare<[], string>('PRAGMA quick_check(5)').pluck().all();
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new MyoError('MYO_ERR_STORE', `${path} is a damaged outbox (${problems.join('; ')}); it was left unchanged: move it aside to start a new one`, {
      path,
      problems,
    });
  }
}

/**
 * WAL so a reader (the CLI, the API) never blocks the writer; synchronous = FULL because in WAL mode NORMAL can roll
 * a commit back on a power cut, and enqueue() promises the message is on disk when it returns. The checks run
 * before anything is written, so a foreign or newer file is refused untouched.
 */
function configure(db: Database.Database, path: string): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  readOutboxSchemaVersion(db, path);
  checkIntegrity(db, path);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new MyoError('MYO_ERR_STORE', `outbox ${path}: cannot switch to WAL mode (got ${String(mode)})`, { path });
  db.pragma('synchronous = FULL');
}

/**
 * Opens (creating folder and file when missing) and migrates the outbox database at `path`. A file that is not an
 * outbox, is damaged or is newer is a MYO_ERR_STORE and is left exactly as it was: queued messages are never thrown
 * away to get a fresh file.
 */
export function openOutboxDatabase(path: string): { db: Database.Database; file: string } {
  const file = resolve(path);
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw outboxStoreFailure(`create its folder ${dir}`, file, error);
  }
  const created = !existsSync(file);
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw outboxStoreFailure('open it', file, error);
  }
  try {
    configure(db, file);
    migrateOutboxDatabase(db, file);
    if (created) syncDirectory(dir);
    return { db, file };
  } catch (error) {
    db.close();
    if (error instanceof Database.SqliteError && (error.code === 'SQLITE_NOTADB' || error.code === 'SQLITE_CORRUPT')) {
      throw new MyoError(
        'MYO_ERR_STORE',
        `${file} is not a SQLite outbox or is damaged (${error.message}); it was left unchanged: move it aside to start a new one`,
        { path: file, sqliteCode: error.code },
        { cause: error },
      );
    }
    throw outboxStoreFailure('open it', file, error);
  }
}
