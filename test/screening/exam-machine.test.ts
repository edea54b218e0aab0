import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../src/core/errors.js';
import { ExamMachine } from '../../src/screening/exam-machine.js';
import { ExamDriver, FRAME_MS, FROZEN, OFF_AXIS, OPTIONS, PROBE_OFF, SHADOWED, USABLE } from './exam-driver.js';

function rejectedTotal(rejected: Readonly<Record<string, number>>): number {
  return Object.values(rejected).reduce((a, b) => a + b, 0);
}

describe('ExamMachine: starting', () => {
  it('starts by itself after autoStartAfterMs of live frames, with the completing frame as the first', () => {
    const d = new ExamDriver();
    d.framesFor(2000, PROBE_OFF);
    expect(d.started).toEqual([]);
    const liveFrom = d.t;
    const framesInRun = OPTIONS.autoStartAfterMs / FRAME_MS;
    d.frames(framesInRun, USABLE, 0.2); // live for 0 .. 960 ms: not yet
    expect(d.started).toEqual([]);
    expect(d.phase).toBe('idle');
    d.frames(1, USABLE, 0.2); // the frame at +1000 ms
    expect(d.started).toEqual([{ examId: 'exam-1', cause: 'auto', at: liveFrom + OPTIONS.autoStartAfterMs }]);
    expect(d.machine.view).toMatchObject({ phase: 'scanning', examId: 'exam-1', framesSeen: 1, usableFrames: 1, warmingUp: true });
  });

  it('counts live-but-unusable frames (shadowed, off-axis) toward auto start', () => {
    const d = new ExamDriver();
    d.framesFor(600, SHADOWED).framesFor(500, OFF_AXIS);
    expect(d.started).toHaveLength(1);
  });

  it('needs the live run unbroken: one non-live frame or a frozen signal starts the count again', () => {
    const d = new ExamDriver();
    d.framesFor(900, USABLE, 0.2).frames(1, PROBE_OFF).framesFor(900, USABLE, 0.2);
    expect(d.started).toEqual([]);
    d.send({ type: 'signal', at: d.t, state: 'frozen' });
    d.framesFor(900, USABLE, 0.2);
    expect(d.started).toEqual([]);
    d.framesFor(200, USABLE, 0.2);
    expect(d.started).toHaveLength(1);
  });

  it('does not join live frames across a long gap without frames', () => {
    const d = new ExamDriver();
    d.framesFor(500, USABLE, 0.2);
    d.t += 5000; // frames stopped, no event
    d.framesFor(500, USABLE, 0.2);
    expect(d.started).toEqual([]);
  });

  it('starts at once on the operator word, from idle or over a result', () => {
    const d = new ExamDriver();
    const step = d.operator('start');
    expect(step.started).toEqual({ examId: 'exam-1', cause: 'operator', at: 0 });
    expect(step.view).toMatchObject({ phase: 'scanning', framesSeen: 0, usableFrames: 0, liveScore: null, warmingUp: true });
    d.framesFor(2000, USABLE, 0.2);
    d.operator('end');
    expect(d.phase).toBe('result');
    expect(d.operator('start').started).toMatchObject({ examId: 'exam-2', cause: 'operator' });
  });

  it('ignores operator start while scanning and end while idle or showing a result', () => {
    const d = new ExamDriver();
    const idle = d.machine.view;
    expect(d.operator('end')).toEqual({ view: idle, started: null, ended: null });
    d.operator('start');
    d.frames(10, USABLE, 0.2);
    const scanning = d.machine.view;
    const ignored = d.operator('start');
    expect(ignored).toEqual({ view: scanning, started: null, ended: null });
    expect(ignored.view).toBe(scanning);
    d.operator('end');
    const result = d.machine.view;
    expect(d.operator('end').view).toBe(result);
    expect(d.ended).toHaveLength(1);
  });
});

describe('ExamMachine: scanning and decisions', () => {
  it('decides no_invasion after an exam that ends by lifting the probe, leaving the idle tail out', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.2).frames(300, USABLE, 0.2);
    const scanning = d.machine.view;
    expect(scanning).toMatchObject({ phase: 'scanning', warmingUp: false });
    expect(scanning.phase === 'scanning' ? scanning.liveScore : null).toBeCloseTo(0.2, 3);
    d.framesFor(3500, PROBE_OFF);
    expect(d.ended).toHaveLength(1);
    const outcome = d.ended[0]!;
    expect(outcome).toMatchObject({ examId: 'exam-1', startedBy: 'auto', endedBy: 'idle_timeout', decision: 'no_invasion', reason: null, threshold: 0.5 });
    // The frames of the first second only started the exam; the one at +1 s is its first.
    expect(outcome.usableFrames).toBe(300);
    expect(outcome.framesSeen).toBe(300);
    // Probe-off frames from one period after the last live frame until the timeout, which the frame at +3 s hits.
    expect(outcome.trailingFrames).toBe(OPTIONS.idleTimeoutMs / FRAME_MS - 1);
    expect(outcome.framesSeen).toBe(outcome.usableFrames + rejectedTotal(outcome.rejected));
    expect(outcome.score).toBeCloseTo(0.2, 3);
    expect(outcome.detail).toMatch(/^score 0\.200 < threshold 0\.5 over 300 usable frames of 300$/);
    expect(d.machine.view).toEqual({ phase: 'result', examId: 'exam-1', decision: 'no_invasion', reason: null, score: outcome.score, endedAt: outcome.endedAt });
  });

  it('refers a positive exam', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.8).frames(200, USABLE, 0.8);
    d.operator('end');
    expect(d.ended[0]).toMatchObject({ decision: 'refer', endedBy: 'operator' });
  });

  it('counts frames seen, inferred, usable and rejected by reason', () => {
    const d = new ExamDriver();
    d.operator('start');
    d.frames(40, USABLE, 0.3).frames(10, USABLE, null).frames(5, OFF_AXIS).frames(5, SHADOWED);
    d.send({ type: 'frame', at: d.t, verdict: OFF_AXIS, probability: 0.01 }); // inferred, but never scored
    const view = d.machine.view;
    expect(view).toMatchObject({ framesSeen: 61, usableFrames: 50 });
    d.operator('end');
    expect(d.ended[0]).toMatchObject({
      framesSeen: 61,
      framesInferred: 41,
      usableFrames: 50,
      scoredFrames: 40,
      rejected: { out_of_distribution: 6, no_tissue: 5, signal_not_live: 0, roi_unsettled: 0, saturated: 0, not_ultrasound: 0 },
    });
  });

  it('stays warming up until minUsableFrames usable frames were scored', () => {
    const d = new ExamDriver();
    d.operator('start');
    d.frames(19, USABLE, 0.3).frames(30, USABLE, null);
    expect(d.machine.view).toMatchObject({ warmingUp: true, usableFrames: 49 });
    d.frames(1, USABLE, 0.3);
    expect(d.machine.view).toMatchObject({ warmingUp: false });
  });

  it('ends inconclusive (signal_lost) at once when the signal is lost mid-exam', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.2).frames(200, USABLE, 0.2);
    const step = d.send({ type: 'signal', at: d.t, state: 'no_signal' });
    expect(step.ended).toMatchObject({ endedBy: 'signal_lost', decision: 'inconclusive', reason: 'signal_lost', endedAt: d.t });
    const e = new ExamDriver();
    e.operator('start');
    e.frames(100, USABLE, 0.9);
    expect(e.send({ type: 'signal', at: e.t, state: 'disconnected' }).ended).toMatchObject({ reason: 'signal_lost' });
  });

  it('does not end on a frozen or blank signal event by itself, only on the idle timeout after it', () => {
    const d = new ExamDriver();
    d.operator('start');
    d.frames(100, USABLE, 0.2);
    expect(d.send({ type: 'signal', at: d.t, state: 'frozen' }).ended).toBeNull();
    expect(d.send({ type: 'signal', at: d.t, state: 'blank' }).ended).toBeNull();
    d.framesFor(3100, FROZEN);
    expect(d.ended).toMatchObject([{ endedBy: 'idle_timeout' }]);
  });

  it('ends inconclusive (too_few_usable_frames) when the operator ends it during warm-up', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.2).frames(10, USABLE, 0.2);
    expect(d.machine.view).toMatchObject({ warmingUp: true });
    const step = d.operator('end');
    expect(step.ended).toMatchObject({ endedBy: 'operator', decision: 'inconclusive', reason: 'too_few_usable_frames', usableFrames: 10 });
  });

  it('ends a frozen-screen exam by idle timeout with the decision from the frames before the freeze', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.8).frames(120, USABLE, 0.8);
    const lastLiveAt = d.t - FRAME_MS;
    const beforeFreeze = d.machine.view;
    d.framesFor(4000, FROZEN);
    expect(d.ended).toHaveLength(1);
    const outcome = d.ended[0]!;
    expect(outcome).toMatchObject({ endedBy: 'idle_timeout', decision: 'refer' });
    expect(beforeFreeze.phase === 'scanning' && outcome.framesSeen === beforeFreeze.framesSeen).toBe(true);
    expect(outcome.rejected.signal_not_live).toBe(0);
    expect(outcome.endedAt).toBe(lastLiveAt + OPTIONS.idleTimeoutMs);
  });

  it('never decides no_invasion on off-axis frames, however low the model scores them', () => {
    const d = new ExamDriver();
    // An off-axis exam with a few frames that slip through the gate (the model scores them low).
    d.framesFor(1000, OFF_AXIS);
    for (let i = 0; i < 10; i++) d.frames(25, OFF_AXIS).frames(20, USABLE, 0.02);
    d.operator('end');
    const outcome = d.ended[0]!;
    expect(outcome.usableFrames).toBeGreaterThanOrEqual(OPTIONS.minUsableFrames);
    expect(outcome).toMatchObject({ decision: 'inconclusive', reason: 'out_of_distribution' });
    // Only off-axis: inconclusive too.
    const e = new ExamDriver();
    e.framesFor(1000, OFF_AXIS).framesFor(10_000, OFF_AXIS);
    e.operator('end');
    expect(e.ended[0]).toMatchObject({ decision: 'inconclusive', reason: 'out_of_distribution' });
  });

  it('keeps a few extreme frames from flipping the decision', () => {
    const d = new ExamDriver({ threshold: 0.35 });
    d.operator('start');
    // 180 frames at 0.3 and 20 at 1.0: the plain mean (0.37) would refer, the 20 % trimmed mean (0.3) does not.
    d.frames(200, USABLE, (i) => (i % 10 === 0 ? 1 : 0.3));
    d.operator('end');
    expect(d.ended[0]).toMatchObject({ decision: 'no_invasion' });
    expect(d.ended[0]!.score).toBeCloseTo(0.3, 3);
  });

  it('ends inconclusive (interrupted) on shutdown mid-exam', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.8).frames(300, USABLE, 0.8);
    expect(d.send({ type: 'shutdown', at: d.t }).ended).toMatchObject({ endedBy: 'shutdown', decision: 'inconclusive', reason: 'interrupted' });
    // Nothing restarts on the still-live image while the daemon stops.
    d.framesFor(3000, USABLE, 0.8);
    expect(d.started).toHaveLength(1);
  });

  it('ends by idle timeout on ticks alone when frames stop', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.2).frames(200, USABLE, 0.2);
    const lastFrameAt = d.t - FRAME_MS;
    d.ticksFor(2500);
    expect(d.ended).toEqual([]);
    d.ticksFor(1000);
    expect(d.ended).toHaveLength(1);
    const outcome = d.ended[0]!;
    expect(outcome.endedBy).toBe('idle_timeout');
    expect(outcome.endedAt).toBeGreaterThanOrEqual(lastFrameAt + OPTIONS.idleTimeoutMs);
    expect(outcome.endedAt).toBeLessThan(lastFrameAt + OPTIONS.idleTimeoutMs + 250);
    expect(outcome.decision).toBe('no_invasion');
  });

  it('ends an operator-started exam that never saw live frames after idleTimeoutMs', () => {
    const d = new ExamDriver();
    d.operator('start');
    d.ticksFor(2999);
    expect(d.ended).toEqual([]);
    d.ticksFor(1);
    expect(d.ended).toMatchObject([{ endedBy: 'idle_timeout', decision: 'inconclusive', reason: 'too_few_usable_frames', framesSeen: 0 }]);
  });

  it('refuses a probability outside 0..1 without changing anything', () => {
    const d = new ExamDriver();
    d.operator('start');
    d.frames(5, USABLE, 0.5);
    const before = d.machine.view;
    let caught: unknown = null;
    try {
      d.send({ type: 'frame', at: d.t, verdict: USABLE, probability: Number.NaN });
    } catch (error) {
      caught = error;
    }
    expect(isMyoError(caught, 'MYO_ERR_ENGINE_FAILED')).toBe(true);
    expect(d.machine.view).toBe(before);
  });
});

describe('ExamMachine: results and back-to-back exams', () => {
  it('holds the result for resultHoldMs, then goes idle', () => {
    const d = new ExamDriver();
    d.operator('start');
    d.frames(100, USABLE, 0.2);
    d.operator('end');
    const endedAt = d.ended[0]!.endedAt;
    d.ticksFor(14_750);
    expect(d.phase).toBe('result');
    d.ticksFor(250);
    expect(d.t).toBeCloseTo(endedAt + 15_000, 6);
    expect(d.phase).toBe('idle');
  });

  it('goes idle at once on acknowledge, and ignores acknowledge elsewhere', () => {
    const d = new ExamDriver();
    expect(d.operator('acknowledge').view).toEqual({ phase: 'idle' });
    d.operator('start');
    d.frames(10, USABLE, 0.2);
    expect(d.operator('acknowledge').view.phase).toBe('scanning');
    d.operator('end');
    expect(d.operator('acknowledge').view).toEqual({ phase: 'idle' });
    expect(d.ended).toHaveLength(1);
  });

  it('starts the next exam during the result hold after an idle timeout, with a new id', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.2).frames(300, USABLE, 0.2);
    d.framesFor(3100, PROBE_OFF);
    expect(d.phase).toBe('result');
    d.framesFor(1100, USABLE, 0.8).frames(300, USABLE, 0.8);
    d.framesFor(3100, PROBE_OFF);
    expect(d.started.map((s) => s.examId)).toEqual(['exam-1', 'exam-2']);
    expect(d.ended.map((e) => [e.examId, e.decision])).toEqual([
      ['exam-1', 'no_invasion'],
      ['exam-2', 'refer'],
    ]);
    expect(d.ended[1]!.startedAt).toBeLessThan(d.ended[0]!.endedAt + OPTIONS.resultHoldMs);
  });

  it('starts the next exam after signal loss once live frames are back', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.2).frames(100, USABLE, 0.2);
    d.send({ type: 'signal', at: d.t, state: 'no_signal' });
    d.t += 4000;
    d.framesFor(1100, USABLE, 0.2);
    expect(d.started).toHaveLength(2);
  });

  it('disarms auto start after an operator end until live frames stop for autoStartAfterMs', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.2).frames(100, USABLE, 0.2);
    d.operator('end');
    d.framesFor(20_000, USABLE, 0.2); // the image is still live: no new exam, the result expires
    expect(d.started).toHaveLength(1);
    expect(d.phase).toBe('idle');
    d.framesFor(900, PROBE_OFF).framesFor(1500, USABLE, 0.2); // a break shorter than autoStartAfterMs
    expect(d.started).toHaveLength(1);
    d.framesFor(1000, PROBE_OFF); // a long enough break re-arms
    d.framesFor(900, USABLE, 0.2);
    expect(d.started).toHaveLength(1);
    d.framesFor(200, USABLE, 0.2);
    expect(d.started).toHaveLength(2);
    expect(d.started[1]!.cause).toBe('auto');
  });

  it('re-arms at once when the probe was already off before the operator ended', () => {
    const d = new ExamDriver();
    d.framesFor(1000, USABLE, 0.2).frames(100, USABLE, 0.2).framesFor(1500, PROBE_OFF);
    d.operator('end');
    d.framesFor(1100, USABLE, 0.2);
    expect(d.started).toHaveLength(2);
  });

  it('lets the operator start while auto start is disarmed', () => {
    const d = new ExamDriver();
    d.operator('start');
    d.frames(100, USABLE, 0.2);
    d.operator('end');
    d.framesFor(500, USABLE, 0.2);
    expect(d.operator('start').started).toMatchObject({ examId: 'exam-2', cause: 'operator' });
  });
});

describe('ExamMachine: time', () => {
  it('treats time going backwards as no time passed', () => {
    const d = new ExamDriver();
    d.operator('start');
    d.frames(100, USABLE, 0.2);
    const last = d.t - FRAME_MS;
    // A frame stamped 10 s in the past counts at the latest time seen: no timeout, no negative durations.
    d.send({ type: 'frame', at: last - 10_000, verdict: USABLE, probability: 0.2 });
    d.send({ type: 'tick', at: last - 5000 });
    expect(d.machine.view).toMatchObject({ phase: 'scanning', framesSeen: 101 });
    d.send({ type: 'tick', at: last + 2999 });
    expect(d.phase).toBe('scanning');
    d.send({ type: 'tick', at: Number.NaN });
    expect(d.phase).toBe('scanning');
    d.send({ type: 'tick', at: last + 3000 });
    expect(d.ended).toHaveLength(1);
    expect(d.ended[0]!.endedAt).toBeGreaterThanOrEqual(d.ended[0]!.startedAt);
  });

  it('refuses options that cannot work', () => {
    const bad = [{ idleTimeoutMs: 0 }, { minUsableFrames: 0 }, { minUsableFraction: 1.5 }, { trimFraction: 0.5 }, { autoStartAfterMs: -1 }, { threshold: Number.NaN }];
    for (const over of bad) {
      let caught: unknown = null;
      try {
        new ExamMachine({ ...OPTIONS, ...over, newExamId: () => 'x' });
      } catch (error) {
        caught = error;
      }
      expect(isMyoError(caught, 'MYO_ERR_CONFIG_INVALID'), JSON.stringify(over)).toBe(true);
    }
  });
});
