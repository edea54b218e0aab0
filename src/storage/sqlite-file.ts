import { closeSync, existsSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { isMyoError, MyoError } from '../core/errors.js';

/** How long a statement waits for another connection's lock (a CLI or the API reading) before failing. */
const BUSY_TIMEOUT_MS = 5000;

export interface SqliteFileKind {
  /** What the file holds, in messages: `exam record store`, `outbox`. */
  readonly what: string;
  /** Reads the schema version without writing; throws MYO_ERR_STORE for a foreign or newer file. */
  readonly readSchemaVersion: (db: Database.Database, path: string) => number;
  /** Brings an older or empty file to the current schema. */
  readonly migrate: (db: Database.Database, path: string) => void;
}

/** Any failure below a store as a MYO_ERR_STORE naming the file; MyoErrors keep their own code. */
export function sqliteStoreFailure(what: string, action: string, path: string, error: unknown): MyoError {
  if (isMyoError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const sqliteCode = error instanceof Database.SqliteError ? error.code : undefined;
  return new MyoError('MYO_ERR_STORE', `${what} ${path}: cannot ${action}: ${message}`, { path, sqliteCode }, { cause: error });
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

/**
 * Damage (a torn write on a failing card, a truncated copy) shows at open, not as a failing read in the middle of a
 * shift. quick_check reads every page once: about 70 ms for 100,000 exam records on a desktop.
 */
function checkIntegrity(db: Database.Database, path: string, what: string): void {
  const problems = db.prepare<[], string>('PRAGMA quick_check(5)').pluck().all();
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new MyoError('MYO_ERR_STORE', `${path} is a damaged ${what} (${problems.join('; ')}); it was left unchanged: move it aside to start a new one`, {
      path,
      problems,
    });
  }
}

/**
 * Opens (creating folder and file when missing), checks and migrates one of the daemon's SQLite files. The checks
 * only read, so a file that is not a database, not ours, damaged or newer is a MYO_ERR_STORE and left exactly as it
 * was (switching to WAL alone rewrites the header): records and queued messages are never thrown away to get a fresh
 * file. WAL lets readers run beside the writer; synchronous = FULL because in WAL mode NORMAL can roll a commit back
 * on a power cut, and the cart is switched off at the wall.
 */
export function openSqliteFile(path: string, kind: SqliteFileKind): { db: Database.Database; file: string } {
  const { what } = kind;
  const file = resolve(path);
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw sqliteStoreFailure(what, `create its folder ${dir}`, file, error);
  }
  const created = !existsSync(file);
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw sqliteStoreFailure(what, 'open it', file, error);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    kind.readSchemaVersion(db, file);
    checkIntegrity(db, file, what);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new MyoError('MYO_ERR_STORE', `${what} ${file}: cannot switch to WAL mode (got ${String(mode)})`, { path: file });
    db.pragma('synchronous = FULL');
    kind.migrate(db, file);
    if (created) syncDirectory(dir);
    return { db, file };
  } catch (error) {
    db.close();
    if (error instanceof Database.SqliteError && (error.code === 'SQLITE_NOTADB' || error.code === 'SQLITE_CORRUPT')) {
      throw new MyoError(
        'MYO_ERR_STORE',
        `${file} is not a SQLite ${what} or is damaged (${error.message}); it was left unchanged: move it aside to start a new one`,
        { path: file, sqliteCode: error.code },
        { cause: error },
      );
    }
    throw sqliteStoreFailure(what, 'open it', file, error);
  }
}
