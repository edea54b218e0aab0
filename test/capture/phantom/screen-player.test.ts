import { describe, expect, it } from 'vitest';
import { ScreenPlayer } from '../../../src/capture/phantom/screen-player.js';
import { fanRect, LAYOUT_NAMES, type LayoutName } from '../../../src/capture/phantom/screen-layout.js';
import { dynamicRects } from '../../../src/capture/phantom/screen-static.js';
import { examTruth } from '../../../src/capture/phantom/script-builder.js';
import type { InconclusiveVariant, ScriptSegment } from '../../../src/capture/phantom/script-types.js';
import type { Rect } from '../../../src/core/frame.js';

const W = 960;
const H = 540;
const FPS = 10;
const T0 = new Date(2026, 0, 1, 10, 0, 0).getTime();

function exam(index: number, caseSeed: number, durationS: number, variant?: InconclusiveVariant): ScriptSegment {
  const caseOptions = { label: 1 as const, borderlineFraction: 0 as const };
  const truth = examTruth(caseSeed, caseOptions, variant ?? null);
  return variant
    ? { kind: 'exam-inconclusive', variant, index, durationS, caseSeed, caseOptions, truth }
    : { kind: 'exam', index, durationS, caseSeed, caseOptions, truth };
}

// Slots at 10 fps: idle 0-9, exam 10-24, frozen 25-34, no-signal 35-39, shadowed 40-44, off-axis 45-49, idle 50-54.
const SCRIPT: ScriptSegment[] = [
  { kind: 'idle', index: 0, durationS: 1, truth: null },
  exam(1, 21, 1.5),
  { kind: 'frozen', index: 2, durationS: 1, truth: null },
  { kind: 'no-signal', index: 3, durationS: 0.5, truth: null },
  exam(4, 21, 0.5, 'shadowed'),
  exam(5, 23, 0.5, 'off-axis'),
  { kind: 'idle', index: 6, durationS: 0.5, truth: null },
];

function player(layout: LayoutName = 'standard', script: ScriptSegment[] = SCRIPT): ScreenPlayer {
  return new ScreenPlayer({ layout, width: W, height: H, fps: FPS, script, seed: 5 });
}

function screen(p: ScreenPlayer, slot: number): Uint8Array {
  const frame = p.frameAt(slot, { wallTimeMs: T0 + (slot * 1000) / FPS, frameNumber: slot });
  if (!frame) throw new Error(`slot ${slot} has no signal`);
  return frame.data;
}

function crop(data: Uint8Array, r: Rect): Uint8Array {
  const out = new Uint8Array(r.width * r.height);
  for (let y = 0; y < r.height; y++) out.set(data.subarray((r.y + y) * W + r.x, (r.y + y) * W + r.x + r.width), y * r.width);
  return out;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

function mean(a: Uint8Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

function inRect(i: number, r: Rect): boolean {
  const x = i % W;
  const y = Math.floor(i / W);
  return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
}

describe('ScreenPlayer', () => {
  it('plays an exam as a moving fan while the rest of the screen holds still (but for clock and counter)', () => {
    const p = player();
    const fan = p.compositor.fanBox;
    const fields = dynamicRects('standard', W, H);
    const frames = [10, 11, 12, 13].map((slot) => screen(p, slot));
    for (let i = 1; i < frames.length; i++) {
      const a = frames[i - 1]!;
      const b = frames[i]!;
      // Speckle decorrelates and the probe moves: the fan changes clearly from frame to frame.
      expect(meanAbsDiff(crop(a, fan), crop(b, fan))).toBeGreaterThan(1);
      for (let k = 0; k < a.length; k++) {
        if (a[k] !== b[k] && !inRect(k, fan)) expect(fields.some((r) => inRect(k, r)), `pixel ${k % W},${Math.floor(k / W)}`).toBe(true);
      }
    }
    expect(p.position(12).segment.kind).toBe('exam');
  });

  it('freezes on the last exam image while the clock keeps ticking', () => {
    const p = player();
    const fan = p.compositor.fanBox;
    const [clock, status] = dynamicRects('standard', W, H);
    const lastExam = screen(p, 24);
    const frozen = [25, 26, 30, 34].map((slot) => screen(p, slot));
    for (const f of frozen) expect(meanAbsDiff(crop(f, fan), crop(lastExam, fan))).toBe(0);
    // 10:00:02 -> 10:00:03 during the freeze.
    expect(meanAbsDiff(crop(frozen[0]!, clock!), crop(frozen[3]!, clock!))).toBeGreaterThan(0);
    // FREEZE is shown while frozen, not before.
    expect(mean(crop(frozen[0]!, status!))).toBeGreaterThan(mean(crop(lastExam, status!)) + 20);
    expect(p.frameAt(30, { wallTimeMs: T0, frameNumber: 30 })?.frozen).toBe(true);
  });

  it('shows nothing at all while there is no signal', () => {
    const p = player();
    for (const slot of [35, 37, 39]) expect(p.frameAt(slot, { wallTimeMs: T0, frameNumber: slot })).toBeNull();
    expect(p.frameAt(40, { wallTimeMs: T0, frameNumber: 40 })).not.toBeNull();
  });

  it('shows a near-blank but live fan while idle', () => {
    const p = player();
    const rect = fanRect('standard', W, H);
    const a = crop(screen(p, 0), rect);
    const b = crop(screen(p, 1), rect);
    expect(mean(a)).toBeLessThan(8);
    expect(meanAbsDiff(a, b)).toBeGreaterThan(0.5);
    const examFan = crop(screen(p, 10), rect);
    expect(mean(examFan)).toBeGreaterThan(3 * mean(a));
  });

  it('shadows most of the image in the shadowed variant', () => {
    const p = player();
    const rect = fanRect('standard', W, H);
    // Same case (seed 21) as the plain exam: only the gas at the probe face differs.
    const plain = mean(crop(screen(p, 10), rect));
    const shadowed = mean(crop(screen(p, 40), rect));
    expect(shadowed).toBeLessThan(0.6 * plain);
  });

  it.each(LAYOUT_NAMES)('%s: the moving region is the layout fan rect (ROI ground truth)', (layout) => {
    const p = player(layout, [exam(0, 31, 10)]);
    const frames = [0, 1, 2, 3].map((slot) => screen(p, slot));
    let x0 = W;
    let y0 = H;
    let x1 = -1;
    let y1 = -1;
    const fields = dynamicRects(layout, W, H);
    for (let i = 1; i < frames.length; i++) {
      const a = frames[i - 1]!;
      const b = frames[i]!;
      for (let k = 0; k < a.length; k++) {
        if (a[k] === b[k] || fields.some((r) => inRect(k, r))) continue;
        const x = k % W;
        const y = Math.floor(k / W);
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
    const truth = fanRect(layout, W, H);
    const moving = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
    // Sides and bottom are exact to a pixel or two; the top edge moves with the case's probe radius and depth.
    expect(Math.abs(moving.x - truth.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(moving.x + moving.width - (truth.x + truth.width))).toBeLessThanOrEqual(2);
    expect(Math.abs(moving.y + moving.height - (truth.y + truth.height))).toBeLessThanOrEqual(3);
    expect(Math.abs(moving.y - truth.y)).toBeLessThanOrEqual(Math.ceil(truth.height * 0.02));
  });

  it('is deterministic, whether or not it rendered ahead', () => {
    const a = player();
    const b = player();
    for (let slot = 0; slot < 8; slot++) expect(b.prefetch(slot)).toBe(true);
    expect(b.cacheStats().cineFrames).toBe(8);
    for (const slot of [9, 10, 11, 20, 26, 41, 46]) expect(Buffer.compare(screen(b, slot), screen(a, slot)), `slot ${slot}`).toBe(0);
  });

  it('renders ahead within the budget during exams, and before an exam whatever the budget once it is near', () => {
    // Slots at 10 fps: idle 0-99, exam from 100. A fake clock makes every render "take" 20 ms.
    let t = 0;
    const script: ScriptSegment[] = [{ kind: 'idle', index: 0, durationS: 10, truth: null }, { ...exam(1, 21, 5), index: 1 }];
    const p = new ScreenPlayer({ layout: 'standard', width: W, height: H, fps: FPS, script, seed: 5, now: () => (t += 10) });
    expect(p.renderMsAverage).toBe(0);
    expect(p.prefetch(0, 0)).toBe(true); // nothing measured yet: the first render is always affordable
    expect(p.renderMsAverage).toBe(10);
    expect(p.prefetch(1, 5)).toBe(false); // 19 frames to go, 99 slots left: not urgent, over budget
    expect(p.prefetch(1, 15)).toBe(true);
    expect(p.prefetch(60, 0)).toBe(true); // 18 frames to go, 40 slots left: urgent
    expect(p.cacheStats().cineFrames).toBe(3);
    expect(p.prefetch(100, 5)).toBe(false); // in the exam: only within the budget
    expect(p.prefetch(100, 15)).toBe(true);
    expect(p.cacheStats().cineFrames).toBe(4);
  });

  it('keeps at most two cine loops in memory', () => {
    const script: ScriptSegment[] = [0, 1, 2, 3].map((i) => exam(i, 40 + i, 0.3));
    const p = player('compact', script);
    let most = 0;
    for (let slot = 0; slot < 12; slot++) {
      screen(p, slot);
      p.prefetch(slot);
      most = Math.max(most, p.cacheStats().loops);
    }
    expect(most).toBe(2);
    expect(p.cacheStats().cineFrames).toBeLessThanOrEqual(2 * 20);
  });

  it('refuses a render size that does not fit the fan box', () => {
    expect(() => new ScreenPlayer({ layout: 'standard', width: W, height: H, fps: FPS, script: SCRIPT, seed: 1, renderSize: 4000 })).toThrow(
      expect.objectContaining({ code: 'MYO_ERR_PHANTOM_PARAMS' }),
    );
  });
});
