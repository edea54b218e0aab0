import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../src/core/errors.js';
import { BudgetGovernor, type StrideChange } from '../../src/pipeline/budget-governor.js';

const BUDGET = 33;
const WINDOW = 20;

function governor(maxStride = 8): BudgetGovernor {
  return new BudgetGovernor({ budgetMs: BUDGET, window: WINDOW, maxStride });
}

/** Records `count` latencies; returns the changes that happened. */
function feed(g: BudgetGovernor, count: number, latency: number | ((i: number) => number)): StrideChange[] {
  const changes: StrideChange[] = [];
  for (let i = 0; i < count; i++) {
    const change = g.record(typeof latency === 'function' ? latency(i) : latency);
    if (change) changes.push(change);
  }
  return changes;
}

function inferredSeqs(g: BudgetGovernor, seqs: Iterable<number>): number[] {
  return [...seqs].filter((seq) => g.shouldInfer(seq));
}

function range(from: number, to: number, step = 1): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i += step) out.push(i);
  return out;
}

describe('BudgetGovernor', () => {
  it('stays at stride 1 while steadily under budget', () => {
    const g = governor();
    expect(g.p95Ms).toBeNull();
    expect(g.overBudget).toBe(false);
    expect(feed(g, 500, (i) => 10 + (i % 7))).toEqual([]);
    expect(g.stride).toBe(1);
    expect(g.p95Ms).toBe(16);
    expect(g.overBudget).toBe(false);
  });

  it('doubles the stride under sustained overload, judging each rate on its own window, up to maxStride', () => {
    const g = governor(8);
    const changes = feed(g, 200, 50);
    expect(changes).toEqual([
      { stride: 2, previous: 1, p95Ms: 50 },
      { stride: 4, previous: 2, p95Ms: 50 },
      { stride: 8, previous: 4, p95Ms: 50 },
    ]);
    // Each change needed a full window of its own: the second came WINDOW records after the first.
    const h = governor(8);
    expect(feed(h, WINDOW - 1, 50)).toEqual([]);
    expect(feed(h, 1, 50)).toHaveLength(1);
    expect(feed(h, WINDOW - 1, 50)).toEqual([]);
    expect(h.p95Ms).toBe(50);
    expect(h.overBudget).toBe(true);
    expect(feed(h, 1, 50)).toEqual([{ stride: 4, previous: 2, p95Ms: 50 }]);
    expect(g.stride).toBe(8);
  });

  it('caps the stride at maxStride, including a maxStride that is not a power of two', () => {
    const g = governor(6);
    expect(feed(g, 200, 90).map((c) => c.stride)).toEqual([2, 4, 6]);
    expect(g.stride).toBe(6);
    expect(g.overBudget).toBe(true);
  });

  it('recovers by halving once well under budget, and holds between 0.7 x budget and the budget', () => {
    const g = governor(8);
    feed(g, 3 * WINDOW, 50);
    expect(g.stride).toBe(8);
    // Under budget but above 0.7 x budget: hysteresis holds the stride.
    expect(feed(g, 5 * WINDOW, 0.8 * BUDGET)).toEqual([]);
    expect(g.stride).toBe(8);
    const recovery = feed(g, 10 * WINDOW, 10);
    expect(recovery.map((c) => [c.previous, c.stride])).toEqual([
      [8, 4],
      [4, 2],
      [2, 1],
    ]);
    expect(g.stride).toBe(1);
  });

  it('does not move for a single spike, or for fewer than 5 % slow frames', () => {
    const g = governor();
    expect(feed(g, 200, (i) => (i === 100 ? 500 : 12))).toEqual([]);
    // One slow frame in every 20 is exactly 5 %: the p95 is still a fast frame.
    expect(feed(g, 400, (i) => (i % 20 === 0 ? 80 : 12))).toEqual([]);
    expect(g.stride).toBe(1);
  });

  it('moves when more than 5 % of the window is slow', () => {
    const g = governor();
    expect(feed(g, WINDOW, (i) => (i < 2 ? 80 : 12))).toEqual([{ stride: 2, previous: 1, p95Ms: 80 }]);
  });

  it('ignores latencies that cannot be real', () => {
    const g = governor();
    feed(g, 5, 10);
    expect(g.record(Number.NaN)).toBeNull();
    expect(g.record(-1)).toBeNull();
    expect(g.record(Infinity)).toBeNull();
    expect(g.p95Ms).toBe(10);
  });

  it('infers every stride-th frame of a steady sequence', () => {
    const g = governor(4);
    expect(inferredSeqs(g, range(0, 10))).toEqual(range(0, 10));
    feed(g, 2 * WINDOW, 50);
    expect(g.stride).toBe(4);
    expect(inferredSeqs(g, range(10, 30))).toEqual([12, 16, 20, 24, 28]);
  });

  it('does not starve a source whose seqs jump past the multiples of the stride', () => {
    const g = governor(4);
    feed(g, 2 * WINDOW, 50);
    expect(g.stride).toBe(4);
    // Every 3rd seq from 1: a multiple of 4 arrives only every 12 seqs, the gap rule infers in between.
    const seqs = range(1, 100, 3);
    const inferred = inferredSeqs(g, seqs);
    expect(inferred[0]).toBe(1);
    for (let i = 1; i < inferred.length; i++) expect(inferred[i]! - inferred[i - 1]!).toBeLessThanOrEqual(2 * 3);
    // Only multiples of 8 arrive (a mailbox dropping frames): every one is inferred at stride 4.
    const h = governor(4);
    feed(h, 2 * WINDOW, 50);
    expect(inferredSeqs(h, [3, 11, 19, 27, 35])).toEqual([3, 11, 19, 27, 35]);
  });

  it('follows a source that restarts its count', () => {
    const g = governor(4);
    feed(g, 2 * WINDOW, 50);
    inferredSeqs(g, range(0, 1000));
    expect(g.shouldInfer(1)).toBe(true);
    expect(inferredSeqs(g, range(2, 12))).toEqual([4, 8]);
  });

  it('refuses options that cannot work', () => {
    for (const opts of [
      { budgetMs: 0, window: 10, maxStride: 4 },
      { budgetMs: 33, window: 0, maxStride: 4 },
      { budgetMs: 33, window: 10, maxStride: 0 },
      { budgetMs: 33, window: 2.5, maxStride: 4 },
    ]) {
      let caught: unknown = null;
      try {
        new BudgetGovernor(opts);
      } catch (error) {
        caught = error;
      }
      expect(isMyoError(caught, 'MYO_ERR_CONFIG_INVALID'), JSON.stringify(opts)).toBe(true);
    }
  });
});
