import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExamRecord } from '../../src/records/exam-record.js';
import { SqliteExamStore } from '../../src/records/sqlite-exam-store.js';
import { ensureBuilt } from '../helpers/ensure-built.js';

const WRITER = fileURLToPath(new URL('./fixtures/write-exams.mjs', import.meta.url));
const KILL_AFTER = 200;

const root = mkdtempSync(join(tmpdir(), 'myo-records-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The writer imports the store from dist/, so it must be current.
beforeAll(() => ensureBuilt(), 120_000);

/** Runs the writer until it has printed `count` records, SIGKILLs it mid-loop, and returns what it printed. */
async function writeUntilKilled(path: string, count: number): Promise<{ printed: ExamRecord[]; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [WRITER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const printed: ExamRecord[] = [];
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    // Only lines that ended with a newline were printed whole; the rest waits for the next chunk.
    pending = lines.pop() ?? '';
    for (const line of lines) printed.push(JSON.parse(line) as ExamRecord);
    if (printed.length >= count) child.kill('SIGKILL');
  });
  // 'close', not 'exit': lines still in the pipe when the process died are read before it fires.
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, exitSignal) => resolve(exitSignal)));
  return { printed, signal, stderr };
}

describe('SqliteExamStore under kill -9', () => {
  it('keeps every record whose save() had returned when the writing process was killed', async () => {
    const path = join(root, 'exams.sqlite');
    const { printed, signal, stderr } = await writeUntilKilled(path, KILL_AFTER);
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(printed.length).toBeGreaterThanOrEqual(KILL_AFTER);

    const store = SqliteExamStore.open(path);
    try {
      for (const record of printed) expect(store.get(record.id)).toEqual(record);
      // The kill may land after a commit and before its line was printed: at most that one record more, and whole.
      const extra = store.count() - printed.length;
      expect(extra === 0 || extra === 1, `${extra} records beyond the printed ones`).toBe(true);
      const newest = store.list({ limit: 1 }).items[0]!;
      expect(newest.endedAt >= printed.at(-1)!.endedAt).toBe(true);
    } finally {
      store.close();
    }
  }, 60_000);
});
