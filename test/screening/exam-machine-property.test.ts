import { describe, expect, it } from 'vitest';
import type { SignalState } from '../../src/core/frame.js';
import { ExamMachine, type ExamInput, type ExamOutcome } from '../../src/screening/exam-machine.js';
import type { FrameVerdict } from '../../src/screening/quality-gate.js';
import { FROZEN, OFF_AXIS, OPTIONS, PROBE_OFF, SHADOWED, USABLE } from './exam-driver.js';
import { seededRandom } from './seeded-random.js';

const VERDICTS: readonly FrameVerdict[] = [USABLE, USABLE, USABLE, PROBE_OFF, FROZEN, OFF_AXIS, SHADOWED];
const SIGNALS: readonly SignalState[] = ['ok', 'no_signal', 'frozen', 'blank', 'disconnected'];
const ACTIONS = ['start', 'end', 'acknowledge'] as const;

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** Mostly frames at 25-30 fps in runs of one kind, with the odd event, silence, and time going backwards. */
function randomInputs(seed: number, count: number): ExamInput[] {
  const random = seededRandom(seed);
  const inputs: ExamInput[] = [];
  let t = 0;
  let verdict = USABLE;
  for (let i = 0; i < count; i++) {
    const r = random();
    if (random() < 0.02) verdict = pick(random, VERDICTS);
    if (r < 0.8) {
      t += 33 + random() * 10;
      const probability = verdict.usable && random() < 0.8 ? random() : null;
      inputs.push({ type: 'frame', at: t, verdict, probability });
    } else if (r < 0.9) {
      t += 250;
      inputs.push({ type: 'tick', at: t });
    } else if (r < 0.93) {
      inputs.push({ type: 'signal', at: t, state: pick(random, SIGNALS) });
    } else if (r < 0.97) {
      inputs.push({ type: 'operator', at: t, action: pick(random, ACTIONS) });
    } else if (r < 0.985) {
      t += random() * 8000; // frames stop for a while
      inputs.push({ type: 'tick', at: t });
    } else if (r < 0.995) {
      inputs.push({ type: 'tick', at: t - random() * 5000 }); // a stale time stamp
    } else {
      inputs.push({ type: 'shutdown', at: t });
    }
  }
  inputs.push({ type: 'shutdown', at: t });
  return inputs;
}

function checkOutcome(outcome: ExamOutcome): void {
  const rejected = Object.values(outcome.rejected).reduce((a, b) => a + b, 0);
  expect(outcome.framesSeen).toBe(outcome.usableFrames + rejected);
  expect(outcome.scoredFrames).toBeLessThanOrEqual(outcome.usableFrames);
  expect(outcome.trailingFrames).toBeGreaterThanOrEqual(0);
  expect(outcome.endedAt).toBeGreaterThanOrEqual(outcome.startedAt);
  expect(outcome.reason === null).toBe(outcome.decision !== 'inconclusive');
  if (outcome.decision !== 'inconclusive') {
    expect(['operator', 'idle_timeout']).toContain(outcome.endedBy);
    expect(outcome.scoredFrames).toBeGreaterThanOrEqual(OPTIONS.minUsableFrames);
    expect(outcome.usableFrames / outcome.framesSeen).toBeGreaterThanOrEqual(OPTIONS.minUsableFraction);
    expect(outcome.decision).toBe(outcome.score! >= outcome.threshold ? 'refer' : 'no_invasion');
  }
}

describe('ExamMachine on random input sequences', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`never starts an exam while one is open and ends every exam exactly once (seed ${seed})`, () => {
      let n = 0;
      const machine = new ExamMachine({ ...OPTIONS, autoStartAfterMs: 500 * (seed % 3), newExamId: () => `exam-${++n}` });
      let open: string | null = null;
      const startedIds: string[] = [];
      const endedIds: string[] = [];
      const decisions = new Set<string>();
      for (const input of randomInputs(seed, 4000)) {
        const step = machine.step(input);
        if (step.ended) {
          expect(step.ended.examId).toBe(open);
          checkOutcome(step.ended);
          endedIds.push(step.ended.examId);
          decisions.add(step.ended.decision);
          open = null;
        }
        if (step.started) {
          expect(open).toBeNull();
          open = step.started.examId;
          startedIds.push(open);
        }
        expect(step.view).toBe(machine.view);
        if (open === null) expect(step.view.phase).not.toBe('scanning');
        else expect(step.view).toMatchObject({ phase: 'scanning', examId: open });
      }
      expect(open).toBeNull();
      expect(endedIds).toEqual(startedIds);
      expect(new Set(startedIds).size).toBe(startedIds.length);
      // The sequences are rich enough to exercise the machine: several exams, more than one kind of decision.
      expect(startedIds.length).toBeGreaterThan(3);
      expect(decisions.size).toBeGreaterThan(1);
    });
  }
});
