import { ExamMachine, type ExamInput, type ExamMachineOptions, type ExamOutcome, type ExamStep } from '../../src/screening/exam-machine.js';
import type { FrameVerdict } from '../../src/screening/quality-gate.js';

export const OPTIONS: Omit<ExamMachineOptions, 'newExamId'> = {
  autoStartAfterMs: 1000,
  idleTimeoutMs: 3000,
  resultHoldMs: 15_000,
  minUsableFrames: 20,
  minUsableFraction: 0.5,
  trimFraction: 0.2,
  threshold: 0.5,
};

export const USABLE: FrameVerdict = { usable: true, live: true };
/** Probe lifted: the idle screen. */
export const PROBE_OFF: FrameVerdict = { usable: false, live: false, reason: 'no_tissue' };
/** The capture says frozen (or blank): frames keep coming, nothing live. */
export const FROZEN: FrameVerdict = { usable: false, live: false, reason: 'signal_not_live' };
/** Probe on, no uterus in view. */
export const OFF_AXIS: FrameVerdict = { usable: false, live: true, reason: 'out_of_distribution' };
/** Probe on, shadowed. */
export const SHADOWED: FrameVerdict = { usable: false, live: true, reason: 'no_tissue' };

/** 25 fps: a whole number of ms per frame, so times add up exactly. */
export const FRAME_MS = 40;

/** Drives an ExamMachine through time and keeps every step. */
export class ExamDriver {
  readonly machine: ExamMachine;
  readonly steps: ExamStep[] = [];
  t = 0;

  constructor(options: Partial<Omit<ExamMachineOptions, 'newExamId'>> = {}) {
    let n = 0;
    this.machine = new ExamMachine({ ...OPTIONS, ...options, newExamId: () => `exam-${++n}` });
  }

  /** `count` frames, one every `periodMs`, starting at the current time; time ends one period after the last. */
  frames(count: number, verdict: FrameVerdict, probability: number | null | ((i: number) => number | null) = null, periodMs = FRAME_MS): this {
    for (let i = 0; i < count; i++) {
      const p = typeof probability === 'function' ? probability(i) : probability;
      this.send({ type: 'frame', at: this.t, verdict, probability: verdict.usable ? p : null });
      this.t += periodMs;
    }
    return this;
  }

  /** Frames for `ms` of time. */
  framesFor(ms: number, verdict: FrameVerdict, probability: number | null = null): this {
    return this.frames(Math.ceil(ms / FRAME_MS), verdict, probability);
  }

  /** Only the pipeline's 4 Hz ticks for `ms` (no frames). */
  ticksFor(ms: number): this {
    const end = this.t + ms;
    while (this.t < end) {
      this.t = Math.min(end, this.t + 250);
      this.send({ type: 'tick', at: this.t });
    }
    return this;
  }

  send(input: ExamInput): ExamStep {
    const step = this.machine.step(input);
    this.steps.push(step);
    return step;
  }

  operator(action: 'start' | 'end' | 'acknowledge'): ExamStep {
    return this.send({ type: 'operator', at: this.t, action });
  }

  get started(): NonNullable<ExamStep['started']>[] {
    return this.steps.flatMap((s) => (s.started ? [s.started] : []));
  }

  get ended(): ExamOutcome[] {
    return this.steps.flatMap((s) => (s.ended ? [s.ended] : []));
  }

  get phase(): string {
    return this.machine.view.phase;
  }
}
