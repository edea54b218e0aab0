import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteOutbox } from '../../../src/telemetry/outbox/sqlite-outbox.js';
import { ensureBuilt } from '../../helpers/ensure-built.js';

const WRITER = fileURLToPath(new URL('./fixtures/enqueue-until-killed.mjs', import.meta.url));
const KILL_AFTER_LINES = 300;

type Line =
  | { op: 'enqueued'; index: number; seq: number; messageId: string; payload: string }
  | { op: 'in_flight' | 'acked'; index: number; seq: number };

const root = mkdtempSync(join(tmpdir(), 'myo-outbox-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The writer imports the outbox from dist/, so it must be current.
beforeAll(() => ensureBuilt(), 120_000);

/** Runs the writer until it has printed `count` lines, SIGKILLs it mid-loop, and returns what it printed. */
async function runUntilKilled(path: string, count: number): Promise<{ lines: Line[]; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [WRITER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    // Only lines that ended with a newline were printed whole.
    pending = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as Line);
    if (lines.length >= count) child.kill('SIGKILL');
  });
  // 'close', not 'exit': lines still in the pipe when the process died are read before it fires.
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, exitSignal) => resolve(exitSignal)));
  return { lines, signal, stderr };
}

describe('SqliteOutbox under kill -9', () => {
  it('keeps every entry whose enqueue had returned, in order with its message id, and gives in-flight ones back', async () => {
    const path = join(root, 'outbox.sqlite');
    const { lines, signal, stderr } = await runUntilKilled(path, KILL_AFTER_LINES);
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(lines.length).toBeGreaterThanOrEqual(KILL_AFTER_LINES);

    const enqueued = lines.filter((line) => line.op === 'enqueued');
    const acked = new Set(lines.filter((line) => line.op === 'acked').map((line) => line.seq));
    const inFlight = new Set(lines.filter((line) => line.op === 'in_flight').map((line) => line.seq));
    const seqs = enqueued.map((line) => line.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const last = enqueued.at(-1)!;
    // The kill may land between an ack's commit and its line: only the last entry can be in that state.
    const maybeAcked = (line: Line): boolean => line === last && line.index % 4 === 2;

    const outbox = SqliteOutbox.open(path);
    try {
      const before = outbox.stats();
      // Every printed in-flight entry is still in flight; the last one may have been marked but not printed.
      expect(before.inFlight - inFlight.size === 0 || before.inFlight - inFlight.size === 1, `${before.inFlight} in flight, ${inFlight.size} printed`).toBe(true);
      expect(outbox.recoverInFlight()).toBe(before.inFlight);

      const held = outbox.peek(1_000_000);
      expect(held.map((entry) => entry.seq)).toEqual([...held.map((entry) => entry.seq)].sort((a, b) => a - b));
      const bySeq = new Map(held.map((entry) => [entry.seq, entry]));
      const expected = enqueued.filter((line) => !acked.has(line.seq));
      for (const line of expected) {
        const entry = bySeq.get(line.seq);
        if (entry === undefined && maybeAcked(line)) continue;
        expect(entry, `entry ${line.seq} (index ${line.index})`).toBeDefined();
        expect(entry?.messageId).toBe(line.messageId);
        expect(entry?.payload.toString('utf8')).toBe(line.payload);
        if (inFlight.has(line.seq)) expect(entry?.attempts).toBe(1);
      }
      for (const seq of acked) expect(bySeq.has(seq), `acked entry ${seq} came back`).toBe(false);
      // At most one entry that was committed but not yet printed when the kill landed, and it comes after the rest.
      const printed = new Set(seqs);
      const extra = held.filter((entry) => !printed.has(entry.seq));
      expect(extra.length).toBeLessThanOrEqual(1);
      for (const entry of extra) expect(entry.seq).toBeGreaterThan(last.seq);
      expect(held.filter((entry) => printed.has(entry.seq)).map((entry) => entry.seq)).toEqual(
        expected.filter((line) => bySeq.has(line.seq)).map((line) => line.seq),
      );
    } finally {
      outbox.close();
    }
  }, 60_000);
});
