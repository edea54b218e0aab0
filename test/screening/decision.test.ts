import { describe, expect, it } from 'vitest';
import { decideExam, type ExamTally } from '../../src/screening/decision.js';
import { REJECT_REASONS, type RejectReason } from '../../src/screening/types.js';

const OPTS = { threshold: 0.5, minUsableFrames: 20, minUsableFraction: 0.5 };

function rejections(counts: Partial<Record<RejectReason, number>> = {}): Record<RejectReason, number> {
  const all = {} as Record<RejectReason, number>;
  for (const reason of REJECT_REASONS) all[reason] = counts[reason] ?? 0;
  return all;
}

function tally(over: Partial<ExamTally> & { rejectedBy?: Partial<Record<RejectReason, number>> } = {}): ExamTally {
  const rejected = rejections(over.rejectedBy);
  const usable = over.usable ?? 300;
  const rejectedTotal = Object.values(rejected).reduce((a, b) => a + b, 0);
  return {
    endedBy: over.endedBy ?? 'operator',
    framesSeen: over.framesSeen ?? usable + rejectedTotal,
    usable,
    ...(over.scored === undefined ? {} : { scored: over.scored }),
    rejected,
    score: over.score === undefined ? 0.3 : over.score,
  };
}

describe('decideExam', () => {
  it('refers at or above the threshold and says why in one sentence', () => {
    const d = decideExam(tally({ score: 0.5, usable: 312, rejectedBy: { no_tissue: 28 } }), OPTS);
    expect(d).toEqual({ decision: 'refer', reason: null, detail: 'score 0.500 >= threshold 0.5 over 312 usable frames of 340' });
  });

  it('finds no invasion below the threshold', () => {
    const d = decideExam(tally({ score: 0.412, usable: 312, rejectedBy: { no_tissue: 28 } }), { ...OPTS, threshold: 0.6 });
    expect(d.decision).toBe('no_invasion');
    expect(d.reason).toBeNull();
    expect(d.detail).toBe('score 0.412 < threshold 0.6 over 312 usable frames of 340');
  });

  it('is inconclusive when the signal was lost or the daemon stopped, whatever the score', () => {
    expect(decideExam(tally({ endedBy: 'signal_lost', score: 0.9 }), OPTS)).toMatchObject({ decision: 'inconclusive', reason: 'signal_lost' });
    expect(decideExam(tally({ endedBy: 'shutdown', score: 0.1 }), OPTS)).toMatchObject({ decision: 'inconclusive', reason: 'interrupted' });
  });

  it('is inconclusive with too_few_usable_frames for a short clean exam', () => {
    const d = decideExam(tally({ usable: 19, score: 0.1 }), OPTS);
    expect(d).toMatchObject({ decision: 'inconclusive', reason: 'too_few_usable_frames' });
    expect(d.detail).toContain('19');
    expect(decideExam(tally({ usable: 20, score: 0.1 }), OPTS).decision).toBe('no_invasion');
  });

  it('counts only scored frames as evidence when the budget skipped some', () => {
    expect(decideExam(tally({ usable: 200, scored: 19, score: 0.1 }), OPTS)).toMatchObject({ reason: 'too_few_usable_frames' });
    const d = decideExam(tally({ usable: 200, scored: 40, score: 0.1 }), OPTS);
    expect(d.decision).toBe('no_invasion');
    expect(d.detail).toBe('score 0.100 < threshold 0.5 over 40 scored of 200 usable frames of 200');
  });

  it('has no decision without a score', () => {
    expect(decideExam(tally({ usable: 100, score: null }), OPTS)).toMatchObject({ decision: 'inconclusive', reason: 'too_few_usable_frames' });
  });

  it('names the dominant rejection class when too few frames were usable and rejections dominate', () => {
    expect(decideExam(tally({ usable: 10, rejectedBy: { no_tissue: 50, saturated: 5, out_of_distribution: 20 } }), OPTS)).toMatchObject({
      decision: 'inconclusive',
      reason: 'poor_image_quality',
    });
    const ood = decideExam(tally({ usable: 10, rejectedBy: { out_of_distribution: 30, not_ultrasound: 20, no_tissue: 40 } }), OPTS);
    expect(ood).toMatchObject({ decision: 'inconclusive', reason: 'out_of_distribution' });
    expect(ood.detail).toContain('out_of_distribution (30)');
    // Rejections that do not outnumber the usable frames do not speak for the exam.
    expect(decideExam(tally({ usable: 10, rejectedBy: { no_tissue: 9 } }), OPTS)).toMatchObject({ reason: 'too_few_usable_frames' });
  });

  it('counts signal_not_live and roi_unsettled as poor image quality', () => {
    expect(decideExam(tally({ usable: 5, rejectedBy: { signal_not_live: 30, roi_unsettled: 30 } }), OPTS)).toMatchObject({
      reason: 'poor_image_quality',
    });
  });

  it('is inconclusive when usable frames are too small a share, with the dominant class', () => {
    const offAxis = decideExam(tally({ usable: 100, score: 0.05, rejectedBy: { out_of_distribution: 150 } }), OPTS);
    expect(offAxis).toMatchObject({ decision: 'inconclusive', reason: 'out_of_distribution' });
    expect(offAxis.detail).toContain('only 100 of 250 frames usable');
    const shadowed = decideExam(tally({ usable: 100, score: 0.05, rejectedBy: { no_tissue: 110 } }), OPTS);
    expect(shadowed).toMatchObject({ decision: 'inconclusive', reason: 'poor_image_quality' });
    // Exactly the minimum share is enough.
    expect(decideExam(tally({ usable: 100, score: 0.05, rejectedBy: { no_tissue: 100 } }), OPTS).decision).toBe('no_invasion');
  });

  it('prefers out_of_distribution on a tie between the classes', () => {
    expect(decideExam(tally({ usable: 100, rejectedBy: { no_tissue: 150, not_ultrasound: 150 } }), OPTS)).toMatchObject({
      reason: 'out_of_distribution',
    });
  });

  it('falls back to too_few_usable_frames when the share is low but nothing was rejected', () => {
    expect(decideExam(tally({ usable: 100, framesSeen: 400 }), OPTS)).toMatchObject({ reason: 'too_few_usable_frames' });
  });
});
