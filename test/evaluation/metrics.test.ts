import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../src/core/errors.js';
import { auc, confusion, rates, ratesAtThreshold, type ScoredCase } from '../../src/evaluation/metrics.js';

const cases = (labels: readonly (0 | 1)[], scores: readonly number[]): ScoredCase[] =>
  labels.map((label, i) => ({ label, score: scores[i] ?? Number.NaN }));

describe('auc (Mann-Whitney, ties count half)', () => {
  it('is 1 when every positive outscores every negative, 0 when the ranking is reversed', () => {
    expect(auc(cases([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]))).toBe(1);
    expect(auc(cases([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]))).toBe(0);
  });

  it('counts the pairs by hand: 3 positives x 2 negatives', () => {
    // Positives 0.9, 0.4, 0.2; negatives 0.5, 0.1.
    // Pairs (pos > neg): 0.9>0.5, 0.9>0.1, 0.4>0.1, 0.2>0.1 = 4 of 6; 0.4<0.5 and 0.2<0.5 lose.
    expect(auc(cases([1, 0, 1, 1, 0], [0.9, 0.5, 0.4, 0.2, 0.1]))).toBeCloseTo(4 / 6, 12);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    // Positives 0.7, 0.3; negatives 0.3, 0.1. Pairs: 0.7>0.3 (1), 0.7>0.1 (1), 0.3=0.3 (0.5), 0.3>0.1 (1) = 3.5 of 4.
    expect(auc(cases([1, 1, 0, 0], [0.7, 0.3, 0.3, 0.1]))).toBeCloseTo(3.5 / 4, 12);
    // Everything tied: no information, exactly one half.
    expect(auc(cases([1, 0, 1, 0, 0], [0.4, 0.4, 0.4, 0.4, 0.4]))).toBe(0.5);
  });

  it('handles ties within one class without counting them', () => {
    // Positives 0.6, 0.6; negatives 0.6, 0.2, 0.2. Pairs: 0.6=0.6 (0.5 each, 2 pairs = 1), 0.6>0.2 (4 pairs) = 5 of 6.
    expect(auc(cases([1, 1, 0, 0, 0], [0.6, 0.6, 0.6, 0.2, 0.2]))).toBeCloseTo(5 / 6, 12);
  });

  it('does not depend on the order of the cases', () => {
    const a = cases([1, 0, 1, 1, 0, 0], [0.3, 0.3, 0.9, 0.1, 0.5, 0.05]);
    expect(auc([...a].reverse())).toBe(auc(a));
  });

  it('is null when only one class is present, or nothing at all', () => {
    expect(auc(cases([1, 1, 1], [0.2, 0.5, 0.9]))).toBeNull();
    expect(auc(cases([0, 0], [0.2, 0.5]))).toBeNull();
    expect(auc([])).toBeNull();
  });

  it('refuses a score that is not a finite number', () => {
    let error: unknown = null;
    try {
      auc(cases([1, 0], [Number.NaN, 0.2]));
    } catch (e) {
      error = e;
    }
    expect(isMyoError(error, 'MYO_ERR_INTERNAL')).toBe(true);
  });
});

describe('sensitivity and specificity', () => {
  it('counts calls against the truth', () => {
    const counts = confusion([
      { label: 1, positive: true },
      { label: 1, positive: true },
      { label: 1, positive: false },
      { label: 0, positive: false },
      { label: 0, positive: true },
      { label: 0, positive: false },
      { label: 0, positive: false },
    ]);
    expect(counts).toEqual({ tp: 2, fn: 1, tn: 3, fp: 1 });
    expect(rates(counts)).toEqual({ tp: 2, fn: 1, tn: 3, fp: 1, positives: 3, negatives: 4, sensitivity: 2 / 3, specificity: 3 / 4 });
  });

  it('calls a score at the threshold positive (score >= threshold refers, as the exam decision does)', () => {
    const r = ratesAtThreshold(cases([1, 1, 0, 0, 0], [0.5, 0.49, 0.5, 0.2, 0.1]), 0.5);
    expect(r).toMatchObject({ tp: 1, fn: 1, tn: 2, fp: 1, sensitivity: 0.5, specificity: 2 / 3 });
  });

  it('gives null rates, not 0 or NaN, when a class is absent', () => {
    const r = ratesAtThreshold(cases([0, 0], [0.1, 0.9]), 0.5);
    expect(r.sensitivity).toBeNull();
    expect(r.specificity).toBe(0.5);
    expect(rates({ tp: 0, fn: 0, tn: 0, fp: 0 })).toMatchObject({ sensitivity: null, specificity: null });
  });
});
