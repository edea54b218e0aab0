import { describe, expect, it } from 'vitest';
import { createCase } from '../../../src/capture/phantom/sample-case.js';
import { examTruth, phantomScript } from '../../../src/capture/phantom/script-builder.js';
import { isExamSegment, type ScriptSegment } from '../../../src/capture/phantom/script-types.js';

const SEEDS = [1, 2, 3, 17, 123456];

function kinds(script: readonly ScriptSegment[]): string[] {
  return script.map((s) => (s.kind === 'exam-inconclusive' ? `${s.kind}:${s.variant}` : s.kind));
}

describe('phantomScript', () => {
  it('is deterministic in the seed and differs between seeds', () => {
    expect(phantomScript(7)).toEqual(phantomScript(7));
    expect(JSON.stringify(phantomScript(7))).not.toBe(JSON.stringify(phantomScript(8)));
    // Plain data: survives a JSON round trip, so the evaluation tooling can store it next to its results.
    const script = phantomScript(7);
    expect(JSON.parse(JSON.stringify(script))).toEqual(script);
  });

  it.each(SEEDS)('seed %i covers both classes, every inconclusive variant, freezes, idles and signal losses', (seed) => {
    const script = phantomScript(seed);
    const exams = script.filter((s) => s.kind === 'exam');
    expect(exams.filter((s) => s.truth.expected === 'refer').length).toBe(3);
    expect(exams.filter((s) => s.truth.expected === 'no_invasion').length).toBe(3);
    expect(exams.filter((s) => s.truth.borderline).length).toBe(2);
    const all = kinds(script);
    for (const k of ['exam-inconclusive:signal-loss', 'exam-inconclusive:off-axis', 'exam-inconclusive:shadowed']) {
      expect(all.filter((x) => x === k)).toHaveLength(1);
    }
    expect(all.filter((x) => x === 'frozen')).toHaveLength(2);
    expect(all.filter((x) => x === 'no-signal')).toHaveLength(2);
    expect(all.filter((x) => x === 'idle').length).toBeGreaterThanOrEqual(10);
    expect(script.map((s) => s.index)).toEqual(script.map((_, i) => i));
  });

  it.each(SEEDS)('seed %i: ground truth agrees with the case each exam re-creates', (seed) => {
    for (const segment of phantomScript(seed)) {
      if (!isExamSegment(segment)) {
        expect(segment.truth).toBeNull();
        continue;
      }
      const c = createCase(segment.caseSeed, segment.caseOptions);
      const t = segment.truth;
      expect(t.label).toBe(c.label);
      expect(t.label).toBe(segment.caseOptions.label);
      expect(t.depthRatio).toBe(c.depthRatio);
      expect(t.label).toBe(t.depthRatio >= 0.5 ? 1 : 0);
      expect(t.borderline).toBe(c.borderline);
      expect(t.reason.length).toBeGreaterThan(10);
      if (segment.kind === 'exam') {
        expect(t.expected).toBe(t.label === 1 ? 'refer' : 'no_invasion');
        expect(t.borderline).toBe(segment.caseOptions.borderlineFraction === 1);
      } else {
        expect(t.expected).toBe('inconclusive');
        expect(t.reason).toContain(segment.variant === 'off-axis' ? 'no uterus' : segment.variant === 'shadowed' ? 'shadow' : 'signal');
      }
    }
  });

  it.each(SEEDS)('seed %i: durations and order make every state observable downstream', (seed) => {
    const script = phantomScript(seed);
    expect(script[0]?.kind).toBe('idle');
    script.forEach((segment, i) => {
      const next = script[i + 1];
      const previous = script[i - 1];
      switch (segment.kind) {
        case 'exam':
          expect(segment.durationS).toBeGreaterThanOrEqual(8);
          expect(segment.durationS).toBeLessThanOrEqual(20);
          expect(['idle', 'frozen']).toContain(next?.kind);
          break;
        case 'exam-inconclusive':
          if (segment.variant === 'signal-loss') {
            expect(segment.durationS).toBeLessThanOrEqual(7);
            expect(next?.kind).toBe('no-signal');
          } else {
            expect(segment.durationS).toBeGreaterThanOrEqual(9);
          }
          break;
        case 'idle':
          expect(segment.durationS).toBeGreaterThanOrEqual(3);
          expect(segment.durationS).toBeLessThanOrEqual(6);
          break;
        case 'frozen':
          // Longer than the signal monitor's default frozenAfterMs (1.5 s), right after an exam with a decision.
          expect(segment.durationS).toBeGreaterThanOrEqual(3);
          expect(previous?.kind).toBe('exam');
          break;
        case 'no-signal':
          // Longer than the default noSignalTimeoutMs (2 s).
          expect(segment.durationS).toBeGreaterThanOrEqual(3);
          break;
      }
    });
    const total = script.reduce((sum, s) => sum + s.durationS, 0);
    expect(total).toBeGreaterThan(120);
    expect(total).toBeLessThan(300);
  });

  it('words the reason of an inconclusive exam and keeps the case truth', () => {
    const options = { label: 1 as const, borderlineFraction: 0 as const };
    const plain = examTruth(99, options, null);
    const shadowed = examTruth(99, options, 'shadowed');
    expect(plain.expected).toBe('refer');
    expect(shadowed).toMatchObject({ label: 1, depthRatio: plain.depthRatio, expected: 'inconclusive' });
    expect(shadowed.reason).toContain(plain.reason);
  });
});
