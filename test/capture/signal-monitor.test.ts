import { describe, expect, it } from 'vitest';
import { SignalMonitor, type SignalTransition } from '../../src/capture/signal-monitor.js';
import type { Rect } from '../../src/core/frame.js';
import { seededRandom, syntheticScreen } from './helpers.js';

const W = 320;
const H = 180;
const FAN: Rect = { x: 80, y: 20, width: 160, height: 150 };
const OPTIONS = { noSignalTimeoutMs: 2000, frozenAfterMs: 1500, frozenMaxDiff: 0.25, blankMaxStdDev: 3 };

function live(frame: number): { width: number; height: number; data: Uint8Array } {
  return { width: W, height: H, data: syntheticScreen({ width: W, height: H, fan: FAN, frame }) };
}

function flat(level: number): { width: number; height: number; data: Uint8Array } {
  return { width: W, height: H, data: new Uint8Array(W * H).fill(level) };
}

/** Feeds frames at `intervalMs` and collects every transition. */
class Feeder {
  readonly monitor = new SignalMonitor(OPTIONS);
  readonly transitions: SignalTransition[] = [];
  now = 0;
  feed(make: (i: number) => { width: number; height: number; data: Uint8Array }, count: number, intervalMs = 33): void {
    for (let i = 0; i < count; i++) {
      this.now += intervalMs;
      const t = this.monitor.observe(make(i), FAN, this.now);
      if (t) this.transitions.push(t);
    }
  }
  record(t: SignalTransition | null): SignalTransition | null {
    if (t) this.transitions.push(t);
    return t;
  }
  states(): string[] {
    return this.transitions.map((t) => `${t.previous}->${t.state}`);
  }
}

describe('SignalMonitor', () => {
  it('starts as no_signal and turns ok after a couple of live frames', () => {
    const f = new Feeder();
    expect(f.monitor.state).toBe('no_signal');
    f.feed((i) => live(i), 1);
    expect(f.monitor.state).toBe('no_signal');
    f.feed((i) => live(i + 1), 30);
    expect(f.states()).toEqual(['no_signal->ok']);
    expect(f.monitor.lastMeasure?.meanAbsDiff).toBeGreaterThan(10);
  });

  it('reports frozen once after frozenAfterMs of identical frames, and recovers on live frames', () => {
    const f = new Feeder();
    f.feed((i) => live(i), 10);
    const still = live(999);
    f.feed(() => still, 40); // 1.3 s: not yet
    expect(f.monitor.state).toBe('ok');
    f.feed(() => still, 20); // past 1.5 s
    expect(f.monitor.state).toBe('frozen');
    expect(f.transitions.at(-1)?.reason).toMatch(/unchanged .* for 15\d\d ms/);
    f.feed(() => still, 100); // stays frozen, reported once
    f.feed((i) => live(100 + i), 1);
    expect(f.monitor.state).toBe('frozen');
    f.feed((i) => live(200 + i), 1);
    expect(f.monitor.state).toBe('ok');
    expect(f.states()).toEqual(['no_signal->ok', 'ok->frozen', 'frozen->ok']);
  });

  it('does not call repeated frames frozen when content changes every other frame (60 Hz grab of 30 Hz video)', () => {
    const f = new Feeder();
    f.feed((i) => live(Math.floor(i / 2)), 300, 16);
    expect(f.states()).toEqual(['no_signal->ok']);
  });

  it('reports a black screen and a flat blue "no signal" screen as blank, after two frames', () => {
    for (const level of [0, 29]) {
      const f = new Feeder();
      f.feed((i) => live(i), 10);
      f.feed(() => flat(level), 1);
      expect(f.monitor.state).toBe('ok');
      f.feed(() => flat(level), 1);
      expect(f.monitor.state).toBe('blank');
      expect(f.transitions.at(-1)?.reason).toMatch(/flat \(std dev 0\.00 < 3/);
      f.feed(() => flat(level), 100); // 3 s of a blank screen: blank wins over frozen
      f.feed((i) => live(50 + i), 5);
      expect(f.states()).toEqual(['no_signal->ok', 'ok->blank', 'blank->ok']);
    }
  });

  it('calls a single black frame a glitch, not blank', () => {
    const f = new Feeder();
    f.feed((i) => (i === 20 ? flat(0) : live(i)), 40);
    expect(f.states()).toEqual(['no_signal->ok']);
  });

  it('judges only the ROI: a live fan beside a static screen is ok, a frozen fan beside a ticking clock is frozen', () => {
    const f = new Feeder();
    f.feed((i) => ({ width: W, height: H, data: syntheticScreen({ width: W, height: H, fan: FAN, frame: i, frozen: true, clockEvery: 1 }) }), 80);
    expect(f.monitor.state).toBe('frozen');
    const g = new Feeder();
    g.feed((i) => ({ width: W, height: H, data: syntheticScreen({ width: W, height: H, fan: FAN, frame: i }) }), 80);
    expect(g.monitor.state).toBe('ok');
  });

  it('reports no_signal from tick() after the timeout, once, and recovers when frames return', () => {
    const f = new Feeder();
    f.feed((i) => live(i), 10);
    expect(f.record(f.monitor.tick(f.now + 1999))).toBeNull();
    const t = f.record(f.monitor.tick(f.now + 2000));
    expect(t).toMatchObject({ state: 'no_signal', previous: 'ok' });
    expect(t?.reason).toBe('no frame for 2000 ms');
    expect(f.record(f.monitor.tick(f.now + 5000))).toBeNull();
    f.now += 5000;
    f.feed((i) => live(20 + i), 2);
    expect(f.states()).toEqual(['no_signal->ok', 'ok->no_signal', 'no_signal->ok']);
  });

  it('after a gap, a frame identical to the last one before it is not instantly frozen', () => {
    const f = new Feeder();
    const still = live(5);
    f.feed(() => still, 2);
    f.monitor.tick(f.now + 3000);
    f.now += 3000;
    f.feed(() => still, 3);
    expect(f.monitor.state).toBe('ok');
  });

  it('marks a disconnection once; tick does not turn it into no_signal; frames recover it', () => {
    const f = new Feeder();
    f.feed((i) => live(i), 5);
    expect(f.record(f.monitor.markDisconnected('ffmpeg exited'))).toMatchObject({ state: 'disconnected', previous: 'ok' });
    expect(f.record(f.monitor.markDisconnected('again'))).toBeNull();
    expect(f.record(f.monitor.tick(f.now + 60_000))).toBeNull();
    f.feed((i) => live(i + 10), 2);
    expect(f.states()).toEqual(['no_signal->ok', 'ok->disconnected', 'disconnected->ok']);
  });

  it('costs well under 1 ms per 1080p frame with a full-frame ROI', () => {
    const monitor = new SignalMonitor(OPTIONS);
    const random = seededRandom(3);
    const frames = [0, 1, 2, 3].map(() => {
      const data = new Uint8Array(1920 * 1080);
      for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
      return { width: 1920, height: 1080, data };
    });
    const roi = { x: 0, y: 0, width: 1920, height: 1080 };
    for (let i = 0; i < 50; i++) monitor.observe(frames[i % 4]!, roi, i * 33);
    // Best of many short batches: the machine is shared, and a preempted batch says nothing about the code.
    let perFrame = Infinity;
    for (let batch = 0; batch < 40; batch++) {
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) monitor.observe(frames[i % 4]!, roi, (50 + batch * 5 + i) * 33);
      perFrame = Math.min(perFrame, (performance.now() - t0) / 5);
    }
    expect(perFrame).toBeLessThan(1);
  });
});
