import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { encodeCrockfordBase32 } from '../../src/records/crockford-base32.js';
import { EXAM_ID_PATTERN, ExamRecordSchema, newExamId } from '../../src/records/exam-record.js';
import { findRecordProblem } from '../../src/records/exam-record-check.js';
import { canonicalJson } from '../../src/records/canonical-json.js';
import { sampleRecord } from './sample-records.js';

describe('exam ids', () => {
  it('encodes 16 bytes as 26 Crockford base32 characters, big-endian', () => {
    expect(encodeCrockfordBase32(new Uint8Array(16))).toBe('0'.repeat(26));
    expect(encodeCrockfordBase32(new Uint8Array(16).fill(0xff))).toBe(`7${'Z'.repeat(25)}`);
    const one = new Uint8Array(16);
    one[15] = 1;
    expect(encodeCrockfordBase32(one)).toBe(`${'0'.repeat(25)}1`);
    // 0x0123456789abcdef0123456789abcdef: its 130-bit binary form cut into 5-bit groups (checked with Python).
    const counting = Uint8Array.from(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'));
    expect(encodeCrockfordBase32(counting)).toBe('014D2PF2DBSQQG28T5CY4TQKFF');
    expect(encodeCrockfordBase32(Uint8Array.of(0xff))).toBe('7Z');
  });

  it('are ex_ and 26 characters of the alphabet without I, L, O and U, and do not repeat', () => {
    const ids = Array.from({ length: 2000 }, () => newExamId());
    for (const id of ids) {
      expect(id).toMatch(new RegExp(EXAM_ID_PATTERN));
      expect(id).not.toMatch(/[ILOU]/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carry no time: ids made in order do not sort in order', () => {
    const ids = Array.from({ length: 200 }, () => newExamId());
    expect([...ids].sort()).not.toEqual(ids);
    // 128 random bits spread over the characters: the first ones vary too (unlike a ULID's time prefix).
    expect(new Set(ids.map((id) => id.slice(3, 6))).size).toBeGreaterThan(150);
  });
});

describe('the exam record schema', () => {
  it('accepts a complete record and its variants', () => {
    expect(findRecordProblem(sampleRecord(0))).toBeNull();
    expect(findRecordProblem(sampleRecord(1))).toBeNull();
    expect(findRecordProblem(sampleRecord(2))).toBeNull();
    expect(findRecordProblem(sampleRecord(2, { score: 0.31, reason: 'too_few_usable_frames' }))).toBeNull();
    expect(Value.Check(ExamRecordSchema, sampleRecord(0))).toBe(true);
  });

  it('names the first field that is wrong', () => {
    const good = sampleRecord(0);
    expect(findRecordProblem({ ...good, durationMs: -1 })).toMatch(/^durationMs: /);
    expect(findRecordProblem({ ...good, model: { ...good.model, sha256: 'ABC' } })).toMatch(/^model\.sha256: /);
    expect(findRecordProblem({ ...good, frames: { ...good.frames, rejected: { ...good.frames.rejected, saturated: 0.5 } } })).toMatch(
      /^frames\.rejected\.saturated: /,
    );
    expect(findRecordProblem({ ...good, startedAt: '2026-13-01T00:00:00.000Z' })).toMatch(/^startedAt: /);
    expect(findRecordProblem(null)).toMatch(/^\(root\): /);
  });

  it('ties the reason to the decision: only and always for inconclusive', () => {
    expect(findRecordProblem(sampleRecord(0, { reason: 'interrupted' }))).toMatch(/must be null for decision refer/);
    expect(findRecordProblem(sampleRecord(2, { reason: null }))).toMatch(/inconclusive exam needs a reason/);
  });
});

describe('canonical JSON', () => {
  it('is the same text whatever order the keys came in, and differs when a value does', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson({ a: 0.1 + 0.2 })).not.toBe(canonicalJson({ a: 0.3 }));
  });
});
