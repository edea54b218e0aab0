import { describe, expect, it } from 'vitest';
import { judgeProgress, stalledStatus, type ProgressCounters } from '../../../src/device/watchdog/progress.js';

const base: ProgressCounters = {
  framesCaptured: 100,
  captureLoopTicks: 40,
  signal: 'ok',
  inferenceRuns: 90,
  probeRuns: 3,
  pendingRunSinceMs: null,
};

function after(change: Partial<ProgressCounters>): ProgressCounters {
  return { ...base, ...change };
}

describe('judgeProgress', () => {
  it('is ok when frames were captured and runs completed', () => {
    const verdict = judgeProgress(base, after({ framesCaptured: 130, inferenceRuns: 110 }));
    expect(verdict.ok).toBe(true);
    expect(verdict.capture).toEqual({ progressed: true, why: 'new frames: 30' });
    expect(verdict.inference).toEqual({ progressed: true, why: 'runs completed: 20' });
  });

  it('calls capture stalled when no frame arrived while the signal claims to be live (or frozen, or blank)', () => {
    for (const signal of ['ok', 'frozen', 'blank'] as const) {
      const verdict = judgeProgress(base, after({ signal, captureLoopTicks: 60, inferenceRuns: 91 }));
      expect(verdict.ok).toBe(false);
      expect(verdict.capture).toEqual({ progressed: false, why: `no new frame while the signal is ${signal}` });
      expect(verdict.inference.progressed).toBe(true);
    }
  });

  it('accepts no frames with the cable unplugged or no signal, as long as the capture loop ticks', () => {
    for (const signal of ['no_signal', 'disconnected'] as const) {
      const verdict = judgeProgress(base, after({ signal, captureLoopTicks: 45, probeRuns: 4 }));
      expect(verdict.ok).toBe(true);
      expect(verdict.capture.why).toBe(`${signal}, capture loop alive`);
      expect(verdict.inference.why).toBe('idle, probe runs completed: 1');
    }
  });

  it('calls capture stalled when unplugged and the loop stopped ticking too', () => {
    const verdict = judgeProgress(base, after({ signal: 'disconnected', probeRuns: 4 }));
    expect(verdict.ok).toBe(false);
    expect(verdict.capture).toEqual({ progressed: false, why: 'disconnected and the capture loop stopped ticking' });
  });

  it('calls inference stalled when neither a run nor a probe completed, and says how long a run is pending', () => {
    const pending = judgeProgress(base, after({ framesCaptured: 130, pendingRunSinceMs: 12_345 }));
    expect(pending.ok).toBe(false);
    expect(pending.capture.progressed).toBe(true);
    expect(pending.inference).toEqual({ progressed: false, why: 'no run completed; one has been pending for 12.3 s' });
    const idle = judgeProgress(base, after({ framesCaptured: 130 }));
    expect(idle.inference).toEqual({ progressed: false, why: 'no run or idle probe completed, none pending' });
  });

  it('counts a counter that went back (its part restarted) as activity', () => {
    const verdict = judgeProgress(base, after({ framesCaptured: 2, inferenceRuns: 1 }));
    expect(verdict.ok).toBe(true);
  });

  it('judges only the change between the two samples, not the totals', () => {
    expect(judgeProgress(base, base).ok).toBe(false);
    expect(judgeProgress(after({ framesCaptured: 5 }), after({ framesCaptured: 5, inferenceRuns: 1000 })).capture.progressed).toBe(false);
  });
});

describe('stalledStatus', () => {
  it('names every stalled part with its reason', () => {
    const verdict = judgeProgress(base, after({ pendingRunSinceMs: 2000 }));
    expect(stalledStatus(verdict)).toBe(
      'stalled: capture (no new frame while the signal is ok); inference (no run completed; one has been pending for 2.0 s)',
    );
  });
});
