import { MyoError } from '../core/errors.js';

/** A case with its ground truth and the model's score for it (higher: more likely invasion). */
export interface ScoredCase {
  readonly label: 0 | 1;
  readonly score: number;
}

/** A case with its ground truth and the call made on it (true: referred / called positive). */
export interface CalledCase {
  readonly label: 0 | 1;
  readonly positive: boolean;
}

export interface ConfusionCounts {
  readonly tp: number;
  readonly fn: number;
  readonly tn: number;
  readonly fp: number;
}

/** Counts, and the rates they give; a rate is null when its class is absent (0 / 0 is not a rate). */
export interface BinaryRates extends ConfusionCounts {
  readonly positives: number;
  readonly negatives: number;
  readonly sensitivity: number | null;
  readonly specificity: number | null;
}

/**
 * Area under the ROC curve as the Mann-Whitney statistic: the probability that a random positive scores above a
 * random negative, ties counting one half (computed from mid-ranks, O(n log n); the same definition as
 * training/myotrain/metrics.py, so the two agree on the same scores). Null when either class is absent: with one
 * class there is no ranking to measure.
 */
export function auc(cases: readonly ScoredCase[]): number | null {
  for (const c of cases) checkScore(c.score);
  const sorted = [...cases].sort((a, b) => a.score - b.score);
  let positives = 0;
  let positiveRankSum = 0;
  let i = 0;
  while (i < sorted.length) {
    // A run of equal scores shares the mean of the ranks it spans (1-based ranks i+1 .. j).
    let j = i;
    while (j < sorted.length && sorted[j]?.score === sorted[i]?.score) j += 1;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k += 1) {
      if (sorted[k]?.label === 1) {
        positives += 1;
        positiveRankSum += midRank;
      }
    }
    i = j;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Confusion counts of calls against the truth. */
export function confusion(cases: readonly CalledCase[]): ConfusionCounts {
  let tp = 0;
  let fn = 0;
  let tn = 0;
  let fp = 0;
  for (const c of cases) {
    if (c.label === 1) {
      if (c.positive) tp += 1;
      else fn += 1;
    } else if (c.positive) fp += 1;
    else tn += 1;
  }
  return { tp, fn, tn, fp };
}

/** Sensitivity TP / (TP + FN) and specificity TN / (TN + FP), with the counts they come from. */
export function rates(counts: ConfusionCounts): BinaryRates {
  const positives = counts.tp + counts.fn;
  const negatives = counts.tn + counts.fp;
  return {
    ...counts,
    positives,
    negatives,
    sensitivity: positives > 0 ? counts.tp / positives : null,
    specificity: negatives > 0 ? counts.tn / negatives : null,
  };
}

/** Rates at an operating threshold: a score at or above it is a positive call, as the exam decision rules it. */
export function ratesAtThreshold(cases: readonly ScoredCase[], threshold: number): BinaryRates {
  for (const c of cases) checkScore(c.score);
  return rates(confusion(cases.map((c) => ({ label: c.label, positive: c.score >= threshold }))));
}

function checkScore(score: number): void {
  if (!Number.isFinite(score)) throw new MyoError('MYO_ERR_INTERNAL', `a score to evaluate must be a finite number, got ${score}`);
}
