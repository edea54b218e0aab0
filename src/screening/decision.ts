import type { Decision, ExamEndCause, InconclusiveReason, RejectReason } from './types.js';

export interface ExamTally {
  readonly endedBy: ExamEndCause;
  /** Frames the exam saw (usable or rejected). */
  readonly framesSeen: number;
  /** Frames the quality gate passed. */
  readonly usable: number;
  /**
   * Usable frames that were inferred and went into the score. Less than `usable` when the budget governor skips
   * frames; the least-evidence rule counts these, since only they carry a probability. Default: `usable`.
   */
  readonly scored?: number;
  readonly rejected: Readonly<Record<RejectReason, number>>;
  /** The trimmed mean of the scored frames' probabilities; null when none was scored. */
  readonly score: number | null;
}

export interface DecisionOptions {
  /** The model's operating threshold: score >= threshold refers. */
  readonly threshold: number;
  readonly minUsableFrames: number;
  readonly minUsableFraction: number;
}

export interface ExamDecision {
  readonly decision: Decision;
  readonly reason: InconclusiveReason | null;
  /** One sentence a person can read: why this decision. */
  readonly detail: string;
}

/** Which inconclusive reason each rejection reason speaks for. */
const REJECTION_CLASS: Readonly<Record<RejectReason, 'poor_image_quality' | 'out_of_distribution'>> = {
  signal_not_live: 'poor_image_quality',
  roi_unsettled: 'poor_image_quality',
  no_tissue: 'poor_image_quality',
  saturated: 'poor_image_quality',
  not_ultrasound: 'out_of_distribution',
  out_of_distribution: 'out_of_distribution',
};

/**
 * Turns an ended exam's tally into the decision. Only an exam that ended normally, with enough usable (and scored)
 * frames that are also a large enough share of what was seen, gets `refer` or `no_invasion`; everything else is
 * `inconclusive` with the reason an operator can act on.
 */
export function decideExam(tally: ExamTally, opts: DecisionOptions): ExamDecision {
  if (tally.endedBy === 'signal_lost') {
    return inconclusive('signal_lost', `the video signal was lost after ${tally.framesSeen} frames`);
  }
  if (tally.endedBy === 'shutdown') {
    return inconclusive('interrupted', `the daemon stopped during the exam after ${tally.framesSeen} frames`);
  }
  const rejected = totalRejected(tally.rejected);
  const scored = Math.min(tally.usable, tally.scored ?? tally.usable);
  if (scored < opts.minUsableFrames || tally.score === null) {
    const what = `${scored} scored usable frames of ${tally.framesSeen}, fewer than the ${opts.minUsableFrames} needed`;
    // Rejections dominate: more frames were turned away than passed, so the image was the problem, not the length.
    if (rejected > tally.usable) {
      const main = dominantClass(tally.rejected);
      return inconclusive(main.reason, `${what}; ${main.detail}`);
    }
    return inconclusive('too_few_usable_frames', what);
  }
  const fraction = tally.framesSeen > 0 ? tally.usable / tally.framesSeen : 0;
  if (fraction < opts.minUsableFraction) {
    const what = `only ${tally.usable} of ${tally.framesSeen} frames usable (${percent(fraction)}, below ${percent(opts.minUsableFraction)})`;
    if (rejected === 0) return inconclusive('too_few_usable_frames', what);
    const main = dominantClass(tally.rejected);
    return inconclusive(main.reason, `${what}; ${main.detail}`);
  }
  const over =
    scored === tally.usable
      ? `over ${scored} usable frames of ${tally.framesSeen}`
      : `over ${scored} scored of ${tally.usable} usable frames of ${tally.framesSeen}`;
  const score = tally.score.toFixed(3);
  const threshold = String(opts.threshold);
  if (tally.score >= opts.threshold) {
    return { decision: 'refer', reason: null, detail: `score ${score} >= threshold ${threshold} ${over}` };
  }
  return { decision: 'no_invasion', reason: null, detail: `score ${score} < threshold ${threshold} ${over}` };
}

function inconclusive(reason: InconclusiveReason, detail: string): ExamDecision {
  return { decision: 'inconclusive', reason, detail };
}

function totalRejected(rejected: Readonly<Record<RejectReason, number>>): number {
  let total = 0;
  for (const count of Object.values(rejected)) total += count;
  return total;
}

/**
 * The rejection class with more frames; on a tie, out_of_distribution, since "this is not what the model knows"
 * matters more to the operator than "improve the image". The detail names the class's most frequent reason.
 */
function dominantClass(rejected: Readonly<Record<RejectReason, number>>): {
  reason: 'poor_image_quality' | 'out_of_distribution';
  detail: string;
} {
  const entries = Object.entries(rejected) as [RejectReason, number][];
  const inClass = (cls: 'poor_image_quality' | 'out_of_distribution'): [RejectReason, number][] =>
    entries.filter(([reason]) => REJECTION_CLASS[reason] === cls);
  const sum = (list: [RejectReason, number][]): number => list.reduce((total, [, count]) => total + count, 0);
  const cls = sum(inClass('out_of_distribution')) >= sum(inClass('poor_image_quality')) ? 'out_of_distribution' : 'poor_image_quality';
  let top: [RejectReason, number] | null = null;
  for (const entry of inClass(cls)) if (top === null || entry[1] > top[1]) top = entry;
  const topNote = top === null ? '' : `, most often ${top[0]} (${top[1]})`;
  return { reason: cls, detail: `rejected frames point to ${cls.replaceAll('_', ' ')}${topNote}` };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)} %`;
}
