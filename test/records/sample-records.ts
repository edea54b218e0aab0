import type { ExamRecord } from '../../src/records/exam-record.js';
import { newExamId } from '../../src/records/exam-record.js';
import type { Decision } from '../../src/screening/types.js';

export const FIRST_END = Date.UTC(2026, 0, 1, 8, 0, 0);
const DECISION_CYCLE: readonly Decision[] = ['refer', 'no_invasion', 'inconclusive'];

/**
 * A valid record whose endedAt is `minute` minutes after FIRST_END. The decision cycles refer, no_invasion,
 * inconclusive with the minute, so any run of consecutive minutes holds all three.
 */
export function sampleRecord(minute: number, overrides: Partial<ExamRecord> = {}): ExamRecord {
  const ended = FIRST_END + minute * 60_000;
  const decision = DECISION_CYCLE[((minute % 3) + 3) % 3]!;
  return {
    id: newExamId(),
    startedAt: new Date(ended - 42_317).toISOString(),
    endedAt: new Date(ended).toISOString(),
    durationMs: 42_317,
    startedBy: 'auto',
    endedBy: 'operator',
    frames: {
      seen: 630,
      inferred: 512,
      usable: 498,
      rejected: { signal_not_live: 12, roi_unsettled: 40, no_tissue: 9, saturated: 2, not_ultrasound: 0, out_of_distribution: 69 },
    },
    score: decision === 'inconclusive' ? null : decision === 'refer' ? 0.8125 + minute / 1e6 : 0.1337,
    decision,
    reason: decision === 'inconclusive' ? 'poor_image_quality' : null,
    detail: `sample exam ${minute}`,
    threshold: 0.47,
    model: { id: 'myonet-small', version: '1.4.2', sha256: 'c0ffee'.padEnd(64, '0') },
    provider: 'cpu',
    daemonVersion: '0.1.0',
    ...overrides,
  };
}

/** The order list() promises, computed from the spec: endedAt descending, then id descending. */
export function sortNewestFirst(records: readonly ExamRecord[]): ExamRecord[] {
  const key = (record: ExamRecord): string => `${record.endedAt} ${record.id}`;
  return [...records].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}

/** A fixed shuffle (no Math.random), so a failure reproduces. */
export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const copy = [...items];
  let state = seed;
  for (let index = copy.length - 1; index > 0; index -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}
