import { describe, expect, it } from 'vitest';
import type { EvaluationResults, ExamResult, FrameResult } from '../../src/evaluation/evaluate-dataset.js';
import { formatReport } from '../../src/evaluation/format-report.js';
import { buildReport, type ReportContext } from '../../src/evaluation/report.js';

const CONTEXT: ReportContext = {
  dataset: { dir: '/d', labelsPath: '/d/labels.csv', totalRows: 9, split: 'all', limitPatients: null },
  model: { id: 'm', version: '1.0.0', sha256: 'ab'.repeat(32), provider: 'cpu', packageDir: '/p', threshold: 0.5, loadMs: 120 },
  settings: { minUsableFrames: 1, minUsableFraction: 0.5, trimFraction: 0.2, intraOpThreads: 1, frameIntervalMs: 1000 / 30 },
};

function frame(id: string, patientId: string, label: 0 | 1, probability: number | null, runtimeMs: number | null, reason: FrameResult['reason'] = null): FrameResult {
  return { id, patientId, label, usable: reason === null, reason, probability, runtimeMs };
}

function exam(patientId: string, label: 0 | 1, score: number | null, decision: ExamResult['decision'], reason: ExamResult['reason'] = null): ExamResult {
  return {
    patientId,
    label,
    mixedLabels: false,
    frames: 1,
    usableFrames: score === null ? 0 : 1,
    scoredFrames: score === null ? 0 : 1,
    framesAfterEnd: 0,
    score,
    decision,
    reason,
    endedBy: 'operator',
    detail: '',
  };
}

const RESULTS: EvaluationResults = {
  frames: [
    frame('a1', 'A', 1, 0.9, 2),
    frame('a2', 'A', 1, 0.6, 4),
    frame('b1', 'B', 0, null, null, 'no_tissue'),
    frame('b2', 'B', 0, 0.6, 3),
    frame('c1', 'C', 0, 0.2, 3),
    frame('d1', 'D', 1, null, null, 'out_of_distribution'),
  ],
  exams: [
    exam('A', 1, 0.75, 'refer'),
    exam('B', 0, 0.6, 'inconclusive', 'too_few_usable_frames'),
    exam('C', 0, 0.2, 'no_invasion'),
    exam('D', 1, null, 'inconclusive', 'out_of_distribution'),
    exam('E', 0, 0.7, 'refer'),
  ],
  wallMs: 200,
};

describe('buildReport', () => {
  const report = buildReport(RESULTS, CONTEXT);

  it('computes frame-level figures over the inferred frames', () => {
    // Inferred: positives 0.9, 0.6; negatives 0.6, 0.2. Pairs: 0.9 beats both (2), 0.6 ties 0.6 (0.5), 0.6 beats 0.2 (1).
    expect(report.frameLevel).toEqual({
      frames: 6,
      positives: 3,
      negatives: 3,
      inferred: 4,
      threshold: 0.5,
      auc: 3.5 / 4,
      sensitivity: 1,
      specificity: 0.5,
      tp: 2,
      fn: 0,
      tn: 1,
      fp: 1,
    });
  });

  it('computes exam-level figures: AUC over scored exams, rates over decided ones, inconclusive by reason', () => {
    expect(report.examLevel).toEqual({
      exams: 5,
      positives: 2,
      negatives: 3,
      decisions: { refer: 2, no_invasion: 1, inconclusive: 2 },
      inconclusiveByReason: { too_few_usable_frames: 1, poor_image_quality: 0, out_of_distribution: 1, signal_lost: 0, interrupted: 0 },
      mixedLabelExams: 0,
      // Scored: A 0.75 (positive) against B 0.6, C 0.2, E 0.7: every pair won.
      scored: 4,
      auc: 1,
      // Decided: A refer (TP), C no_invasion (TN), E refer (FP).
      decided: 3,
      sensitivity: 1,
      specificity: 0.5,
      tp: 1,
      fn: 0,
      tn: 1,
      fp: 1,
    });
  });

  it('counts gate rejections by reason, and timing over the inferred frames', () => {
    expect(report.gate).toEqual({
      frames: 6,
      usable: 4,
      rejected: 2,
      byReason: { signal_not_live: 0, roi_unsettled: 0, no_tissue: 1, saturated: 0, not_ultrasound: 0, out_of_distribution: 1 },
    });
    expect(report.timing).toEqual({ frames: 6, wallMs: 200, framesPerSecond: 30, inferred: 4, meanRunMs: 3, modelLoadMs: 120 });
    expect(report.notes).toEqual([]);
  });

  it('says so when many exams were inconclusive for too few frames, and when a figure is undefined', () => {
    const tooShort: EvaluationResults = {
      frames: [frame('a1', 'A', 1, 0.9, 2), frame('b1', 'B', 1, 0.8, 2)],
      exams: [exam('A', 1, 0.9, 'inconclusive', 'too_few_usable_frames'), exam('B', 1, 0.8, 'inconclusive', 'too_few_usable_frames')],
      wallMs: 10,
    };
    const notes = buildReport(tooShort, { ...CONTEXT, settings: { ...CONTEXT.settings, minUsableFrames: 20 } }).notes;
    expect(notes[0]).toMatch(/^2 of 2 exams \(100\.0 %\) were inconclusive for too few usable frames: a median of 1 scored frames per exam, the decision needs 20/);
    expect(notes[0]).toContain('--min-usable-frames');
    expect(notes).toContain('frame-level AUC is undefined: the inferred frames carry one label only');
    expect(notes).toContain('no exam was decided: exam-level sensitivity and specificity are undefined');
  });
});

describe('formatReport', () => {
  it('prints the same figures as the report, side by side', () => {
    const text = formatReport(buildReport(RESULTS, CONTEXT));
    expect(text).toContain('/d/labels.csv (split all: 6 of 9 images, 5 patients)');
    expect(text).toMatch(/AUC\s+0\.8750 \(4 inferred\)\s+1\.0000 \(4 with a score\)/);
    expect(text).toMatch(/sensitivity\s+1\.0000 \(2\/2\)\s+1\.0000 \(1\/1\)/);
    expect(text).toMatch(/specificity\s+0\.5000 \(1\/2\)\s+0\.5000 \(1\/2\)/);
    expect(text).toMatch(/ {2}too_few_usable_frames\s+1/);
    expect(text).toMatch(/ {2}no_tissue\s+1/);
    expect(text).toContain('30.0 images/s end to end, mean session.run 3.00 ms over 4 runs');
  });
});
