import { describe, expect, it } from 'vitest';
import { ExamReplay, REPLAY_FRAME_INTERVAL_MS, type ExamReplayOptions } from '../../src/evaluation/exam-replay.js';
import type { FrameVerdict } from '../../src/screening/index.js';

const OPTIONS: ExamReplayOptions = {
  autoStartAfterMs: 1000,
  idleTimeoutMs: 3000,
  resultHoldMs: 15_000,
  minUsableFrames: 1,
  minUsableFraction: 0.5,
  trimFraction: 0.2,
  threshold: 0.5,
};
const USABLE: FrameVerdict = { usable: true, live: true };
const NO_TISSUE: FrameVerdict = { usable: false, live: false, reason: 'no_tissue' };
const OFF_AXIS: FrameVerdict = { usable: false, live: true, reason: 'out_of_distribution' };

describe('ExamReplay', () => {
  it('scores a one-image exam with that image\'s probability when one frame is enough', () => {
    const replay = new ExamReplay('p1', OPTIONS);
    replay.frame(USABLE, 0.7);
    const outcome = replay.end();
    expect(outcome).toMatchObject({ examId: 'p1', startedBy: 'operator', endedBy: 'operator', framesSeen: 1, scoredFrames: 1, decision: 'refer' });
    expect(outcome.score).toBeCloseTo(0.7, 12);
    expect(outcome.endedAt).toBeCloseTo(2 * REPLAY_FRAME_INTERVAL_MS, 9);
  });

  it('takes the trimmed mean the live exam takes', () => {
    const replay = new ExamReplay('p2', OPTIONS);
    // trim 0.2 of 5 drops one from each end: mean(0.2, 0.3, 0.35) = 0.2833...
    for (const p of [0.9, 0.2, 0.01, 0.3, 0.35]) replay.frame(USABLE, p);
    const outcome = replay.end();
    expect(outcome.score).toBeCloseTo((0.2 + 0.3 + 0.35) / 3, 3);
    expect(outcome.decision).toBe('no_invasion');
  });

  it('is inconclusive with too few usable frames under the configured minimum', () => {
    const replay = new ExamReplay('p3', { ...OPTIONS, minUsableFrames: 20 });
    for (let i = 0; i < 5; i += 1) replay.frame(USABLE, 0.9);
    const outcome = replay.end();
    expect(outcome).toMatchObject({ decision: 'inconclusive', reason: 'too_few_usable_frames', scoredFrames: 5 });
    // The aggregator's histogram estimate: within half a bin (1/2048) of the exact trimmed mean.
    expect(outcome.score).toBeCloseTo(0.9, 3);
  });

  it('names the rejection class when rejected frames dominate', () => {
    const replay = new ExamReplay('p4', OPTIONS);
    replay.frame(OFF_AXIS, null);
    replay.frame(OFF_AXIS, null);
    replay.frame(USABLE, 0.9);
    expect(replay.end()).toMatchObject({ decision: 'inconclusive', reason: 'out_of_distribution', usableFrames: 1 });
  });

  it('ends by the idle timeout after 3 s of frames without tissue, and keeps later frames out of the exam', () => {
    const replay = new ExamReplay('p5', OPTIONS);
    replay.frame(USABLE, 0.2);
    // Frame k arrives at k x 1000/30 ms; frame 91 is 3000 ms after frame 1, the last live one, and ends the exam.
    for (let i = 0; i < 100; i += 1) replay.frame(NO_TISSUE, null);
    const outcome = replay.end();
    expect(outcome.endedBy).toBe('idle_timeout');
    expect(replay.framesAfterEnd).toBe(101 - 91);
    // The trailing non-live frames are left out of the tally: the exam saw its one usable frame.
    expect(outcome).toMatchObject({ framesSeen: 1, usableFrames: 1, decision: 'no_invasion' });
  });

  it('returns the same outcome when asked twice', () => {
    const replay = new ExamReplay('p6', OPTIONS);
    replay.frame(USABLE, 0.6);
    expect(replay.end()).toBe(replay.end());
  });
});
