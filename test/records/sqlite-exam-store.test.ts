import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EXAM_SCHEMA_VERSION } from '../../src/records/sqlite-exam-schema.js';
import { SqliteExamStore } from '../../src/records/sqlite-exam-store.js';
import { describeExamStoreContract } from './exam-store-contract.js';
import { sampleRecord, sortNewestFirst } from './sample-records.js';

const root = mkdtempSync(join(tmpdir(), 'myo-records-'));
let counter = 0;
/** A fresh database path in a folder that does not exist yet. */
const freshPath = (): string => join(root, `case-${(counter += 1)}`, 'nested', 'exams.sqlite');

afterAll(() => rmSync(root, { recursive: true, force: true }));

describeExamStoreContract('SqliteExamStore', (opts) => SqliteExamStore.open(freshPath(), opts));

describe('SqliteExamStore on disk', () => {
  const opened: { close(): unknown }[] = [];
  const track = <T extends { close(): unknown }>(handle: T): T => {
    opened.push(handle);
    return handle;
  };
  afterEach(() => {
    for (const handle of opened.splice(0)) handle.close();
  });

  it('creates its folders and keeps every record across close and reopen', () => {
    const path = freshPath();
    const records = Array.from({ length: 60 }, (_, index) => sampleRecord(index));
    const first = SqliteExamStore.open(path);
    for (const record of records) first.save(record);
    first.close();

    const again = track(SqliteExamStore.open(path));
    expect(again.count()).toBe(60);
    expect(again.list({ limit: 500 }).items).toEqual(sortNewestFirst(records));
    for (const record of records) expect(again.get(record.id)).toEqual(record);
    expect(again.stats()).toEqual({ total: 60, byDecision: { refer: 20, no_invasion: 20, inconclusive: 20 }, lastEndedAt: records[59]!.endedAt });
  });

  it('puts the database in WAL mode with the current schema version and indexed columns', () => {
    const path = freshPath();
    const store = track(SqliteExamStore.open(path));
    store.save(sampleRecord(0));
    expect(existsSync(`${path}-wal`)).toBe(true);
    const db = track(new Database(path, { readonly: true }));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(EXAM_SCHEMA_VERSION);
    const indexed = db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'exams'").pluck().all();
    expect(indexed).toEqual(expect.arrayContaining(['exams_by_end', 'exams_by_decision_end']));
  });

  it('sees the records another connection saved', () => {
    const path = freshPath();
    const writer = track(SqliteExamStore.open(path));
    const reader = track(SqliteExamStore.open(path));
    const record = sampleRecord(5);
    writer.save(record);
    expect(reader.get(record.id)).toEqual(record);
    expect(() => reader.save({ ...record, detail: 'other' })).toThrow(expect.objectContaining({ code: 'MYO_ERR_RECORD_CONFLICT' }));
  });

  it('refuses a file that is not a SQLite database with MYO_ERR_STORE and leaves it untouched', () => {
    const path = freshPath();
    SqliteExamStore.open(path).close();
    rmSync(path);
    const garbage = Buffer.from('these are not the records you are looking for\n'.repeat(200));
    writeFileSync(path, garbage);
    let thrown: unknown;
    try {
      track(SqliteExamStore.open(path));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'MYO_ERR_STORE', details: { path } });
    expect((thrown as Error).message).toContain(path);
    expect((thrown as Error).message).toMatch(/not a SQLite exam record store/);
    expect(readFileSync(path)).toEqual(garbage);
  });

  it('refuses a SQLite database that holds something else, unchanged', () => {
    const path = freshPath();
    SqliteExamStore.open(path).close();
    rmSync(path);
    const other = new Database(path);
    other.exec('CREATE TABLE patients (name TEXT)');
    other.close();
    const before = readFileSync(path);
    expect(() => track(SqliteExamStore.open(path))).toThrow(expect.objectContaining({ code: 'MYO_ERR_STORE' }));
    expect(readFileSync(path)).toEqual(before);
  });

  it('refuses a store written by a newer schema version', () => {
    const path = freshPath();
    SqliteExamStore.open(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${EXAM_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => track(SqliteExamStore.open(path))).toThrow(
      expect.objectContaining({ code: 'MYO_ERR_STORE', message: expect.stringMatching(/newer/) as unknown }),
    );
  });

  /** A closed store of 60 records with long details, so the table spans a few dozen pages. */
  function storeOnManyPages(): string {
    const path = freshPath();
    const store = SqliteExamStore.open(path);
    for (let minute = 0; minute < 60; minute += 1) store.save(sampleRecord(minute, { detail: 'x'.repeat(1500) }));
    store.close();
    return path;
  }

  it('refuses a truncated database file at open with MYO_ERR_STORE and leaves it as it is', () => {
    const path = storeOnManyPages();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const before = readFileSync(path);
    expect(() => track(SqliteExamStore.open(path))).toThrow(
      expect.objectContaining({ code: 'MYO_ERR_STORE', details: expect.objectContaining({ path }) as unknown }),
    );
    expect(readFileSync(path)).toEqual(before);
  });

  it('finds a damaged page at open, not at the first read of it', () => {
    const path = storeOnManyPages();
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    // Scribble over a page in the middle of the table; the file keeps its size and a valid header.
    bytes.fill(0xab, pageSize * 10, pageSize * 11);
    writeFileSync(path, bytes);
    expect(() => track(SqliteExamStore.open(path))).toThrow(
      expect.objectContaining({ code: 'MYO_ERR_STORE', message: expect.stringMatching(/damaged/) as unknown }),
    );
    expect(readFileSync(path)).toEqual(bytes);
  });

  it('reports a row that fails the schema as MYO_ERR_STORE naming its id', () => {
    const path = freshPath();
    const store = track(SqliteExamStore.open(path));
    const good = sampleRecord(1);
    const bad = sampleRecord(2);
    store.save(good);
    store.save(bad);
    const db = new Database(path);
    db.prepare("UPDATE exams SET body = json_set(body, '$.score', 7) WHERE id = ?").run(bad.id);
    db.close();
    expect(store.get(good.id)).toEqual(good);
    const damaged: unknown = expect.objectContaining({ code: 'MYO_ERR_STORE', details: expect.objectContaining({ id: bad.id }) as unknown });
    expect(() => store.get(bad.id)).toThrow(damaged);
    expect(() => store.list()).toThrow(damaged);
    expect(() => store.get(bad.id)).toThrow(new RegExp(bad.id));
  });

  it('reports a row whose JSON is not JSON as MYO_ERR_STORE naming its id', () => {
    const path = freshPath();
    const store = track(SqliteExamStore.open(path));
    const record = sampleRecord(1);
    store.save(record);
    const db = new Database(path);
    db.prepare("UPDATE exams SET body = '{truncated' WHERE id = ?").run(record.id);
    db.close();
    expect(() => store.get(record.id)).toThrow(
      expect.objectContaining({ code: 'MYO_ERR_STORE', details: expect.objectContaining({ id: record.id }) as unknown }),
    );
  });
});
