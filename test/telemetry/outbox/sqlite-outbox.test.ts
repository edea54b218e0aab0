import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteOutbox } from '../../../src/telemetry/outbox/sqlite-outbox.js';
import { message } from './outbox-contract.js';

const root = mkdtempSync(join(tmpdir(), 'myo-outbox-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;
const newPath = (): string => join(root, `case-${(files += 1)}`, 'outbox.sqlite');

describe('SqliteOutbox on disk', () => {
  it('keeps entries, their order, message ids and states across a reopen, and opens in WAL with synchronous FULL', () => {
    const path = newPath();
    const first = SqliteOutbox.open(path);
    const entries = ['a', 'b', 'c'].map((payload) => first.enqueue(message('exam_summary', payload)));
    first.markInFlight(entries[1]!.seq);
    first.close();

    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();

    const second = SqliteOutbox.open(path);
    try {
      expect(second.size()).toBe(3);
      expect(second.bytes()).toBe(entries.reduce((sum, entry) => sum + entry.bytes, 0));
      expect(second.stats()).toMatchObject({ pending: 2, inFlight: 1 });
      expect(second.recoverInFlight()).toBe(1);
      expect(second.peek(10)).toEqual(entries.map((entry, index) => ({ ...entry, attempts: index === 1 ? 1 : 0 })));
    } finally {
      second.close();
    }
  });

  it('never reuses a seq, even after the newest entries were acked and the file reopened', () => {
    const path = newPath();
    const first = SqliteOutbox.open(path);
    const a = first.enqueue(message('event', 'a'));
    const b = first.enqueue(message('event', 'b'));
    first.ack(a.seq);
    first.ack(b.seq);
    first.close();
    const second = SqliteOutbox.open(path);
    try {
      expect(second.enqueue(message('event', 'c')).seq).toBeGreaterThan(b.seq);
    } finally {
      second.close();
    }
  });

  it('refuses a file that is not an outbox and leaves it exactly as it was', () => {
    const notSqlite = join(root, 'not-sqlite.sqlite');
    writeFileSync(notSqlite, 'this is not a database, but it is somebody\'s file'.repeat(100));
    const before = readFileSync(notSqlite);
    expect(() => SqliteOutbox.open(notSqlite)).toThrow(expect.objectContaining({ code: 'MYO_ERR_STORE' }));
    expect(readFileSync(notSqlite).equals(before)).toBe(true);

    const foreign = join(root, 'foreign.sqlite');
    const db = new Database(foreign);
    db.exec('CREATE TABLE things (id INTEGER)');
    db.close();
    expect(() => SqliteOutbox.open(foreign)).toThrow(expect.objectContaining({ code: 'MYO_ERR_STORE', message: expect.stringContaining('not an outbox') as unknown }));
  });

  it('refuses a file from a newer daemon', () => {
    const path = newPath();
    SqliteOutbox.open(path).close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => SqliteOutbox.open(path)).toThrow(expect.objectContaining({ code: 'MYO_ERR_STORE', details: expect.objectContaining({ version: 99 }) as unknown }));
  });

  it('keeps the limits across a reopen: what was held before counts', () => {
    const path = newPath();
    const first = SqliteOutbox.open(path, { maxMessages: 2 });
    first.enqueue(message('exam_summary', 'x1'));
    first.enqueue(message('exam_summary', 'x2'));
    first.close();
    const second = SqliteOutbox.open(path, { maxMessages: 2 });
    try {
      expect(() => second.enqueue(message('exam_summary', 'x3'))).toThrow(expect.objectContaining({ code: 'MYO_ERR_OUTBOX_FULL' }));
    } finally {
      second.close();
    }
  });
});
