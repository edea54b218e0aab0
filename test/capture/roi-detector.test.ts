import { describe, expect, it } from 'vitest';
import { rectIoU } from '../../src/capture/rect.js';
import { RoiDetector, type RoiUpdate } from '../../src/capture/roi-detector.js';
import type { Rect } from '../../src/core/frame.js';
import { syntheticScreen } from './helpers.js';

const W = 640;
const H = 360;
const FAN: Rect = { x: 200, y: 40, width: 300, height: 260 };

/** Ground truth: the bounding box of the sector the synthetic screen draws inside FAN. */
const TRUTH: Rect = FAN;

function screen(frame: number, options: { fan?: Rect; frozen?: boolean; clockEvery?: number; width?: number; height?: number } = {}) {
  const width = options.width ?? W;
  const height = options.height ?? H;
  return {
    width,
    height,
    data: syntheticScreen({
      width,
      height,
      fan: options.fan ?? FAN,
      frame,
      ...(options.frozen ? { frozen: true } : {}),
      ...(options.clockEvery ? { clockEvery: options.clockEvery } : {}),
    }),
  };
}

function auto(overrides: Partial<ConstructorParameters<typeof RoiDetector>[0]> = {}): RoiDetector {
  return new RoiDetector({ mode: 'auto', learnFrames: 12, recheckEveryFrames: 300, ...overrides });
}

describe('RoiDetector (auto)', () => {
  it('reports the whole frame, unsettled, while learning, then settles on the moving fan', () => {
    const detector = auto();
    const updates: RoiUpdate[] = [];
    for (let i = 0; i < 12; i++) updates.push(detector.observe(screen(i)));
    for (const u of updates.slice(0, 11)) expect(u).toMatchObject({ settled: false, changed: false, method: 'full-frame', roi: { x: 0, y: 0, width: W, height: H } });
    const last = updates[11]!;
    expect(last).toMatchObject({ settled: true, changed: true, method: 'auto' });
    expect(rectIoU(last.roi, TRUTH)).toBeGreaterThanOrEqual(0.85);
    const next = detector.observe(screen(12));
    expect(next.changed).toBe(false);
    expect(next.roi).toEqual(last.roi);
    expect(detector.current?.roi).toEqual(last.roi);
  });

  it('is not fooled by a clock that ticks on every frame (a small region) or by static text', () => {
    const detector = auto();
    let update: RoiUpdate | null = null;
    for (let i = 0; i < 12; i++) update = detector.observe(screen(i, { clockEvery: 1 }));
    expect(rectIoU(update!.roi, TRUTH)).toBeGreaterThanOrEqual(0.85);
  });

  it('ignores a large clock/text region that changes once a second even when it is bigger than the fan', () => {
    const small: Rect = { x: 400, y: 200, width: 120, height: 110 };
    const bigClock: Rect = { x: 10, y: 10, width: 300, height: 200 };
    const detector = auto();
    let update: RoiUpdate | null = null;
    for (let i = 25; i < 37; i++) {
      update = detector.observe({
        width: W,
        height: H,
        data: syntheticScreen({ width: W, height: H, fan: small, frame: i, clock: bigClock, clockEvery: 30 }),
      });
    }
    expect(rectIoU(update!.roi, small)).toBeGreaterThanOrEqual(0.7);
  });

  it('falls back to the largest lit region when the image is frozen from the start, then finds the fan once it moves', () => {
    const detector = auto({ learnFrames: 6 });
    let update: RoiUpdate | null = null;
    for (let i = 0; i < 6; i++) update = detector.observe(screen(0, { frozen: true }));
    expect(update).toMatchObject({ settled: true, changed: true, method: 'auto' });
    const provisional = update!.roi;
    // The lit fallback overlaps the fan, though the static text may pull it off.
    expect(rectIoU(provisional, TRUTH)).toBeGreaterThan(0.3);
    let changedAgain = false;
    for (let i = 0; i < 6; i++) {
      update = detector.observe(screen(i, { fan: { x: 40, y: 60, width: 280, height: 240 } }));
      changedAgain ||= update.changed;
    }
    expect(changedAgain).toBe(true);
    expect(rectIoU(update!.roi, { x: 40, y: 60, width: 280, height: 240 })).toBeGreaterThanOrEqual(0.85);
  });

  it('stays unsettled on a blank screen (nothing moves, nothing lit)', () => {
    const detector = auto({ learnFrames: 4 });
    let update: RoiUpdate | null = null;
    for (let i = 0; i < 8; i++) update = detector.observe({ width: W, height: H, data: new Uint8Array(W * H) });
    expect(update).toMatchObject({ settled: false, method: 'full-frame' });
    expect(detector.current).toBeNull();
  });

  it('re-checks every recheckEveryFrames and moves the ROI when the fan moved', () => {
    const detector = auto({ learnFrames: 4, recheckEveryFrames: 20 });
    const moved: Rect = { x: 20, y: 80, width: 260, height: 240 };
    const changes: RoiUpdate[] = [];
    for (let i = 0; i < 4; i++) detector.observe(screen(i));
    for (let i = 4; i < 40; i++) {
      const u = detector.observe(screen(i, i >= 10 ? { fan: moved } : {}));
      if (u.changed) changes.push(u);
    }
    expect(changes).toHaveLength(1);
    expect(rectIoU(changes[0]!.roi, moved)).toBeGreaterThanOrEqual(0.85);
  });

  it('does not report a change when a re-check finds the same fan', () => {
    const detector = auto({ learnFrames: 4, recheckEveryFrames: 10 });
    let changes = 0;
    for (let i = 0; i < 60; i++) if (detector.observe(screen(i)).changed) changes += 1;
    expect(changes).toBe(1);
  });

  it('relearns after a resolution change', () => {
    const detector = auto({ learnFrames: 4 });
    for (let i = 0; i < 4; i++) detector.observe(screen(i));
    const other: Rect = { x: 100, y: 30, width: 200, height: 180 };
    const first = detector.observe(screen(0, { width: 480, height: 270, fan: other }));
    expect(first).toMatchObject({ settled: false, roi: { x: 0, y: 0, width: 480, height: 270 } });
    let update: RoiUpdate = first;
    for (let i = 1; i < 4; i++) update = detector.observe(screen(i, { width: 480, height: 270, fan: other }));
    expect(update.changed).toBe(true);
    expect(rectIoU(update.roi, other)).toBeGreaterThanOrEqual(0.85);
  });
});

describe('RoiDetector (manual, full)', () => {
  it('uses the configured rectangle and reports it once', () => {
    const rect = { x: 10, y: 20, width: 300, height: 200 };
    const detector = new RoiDetector({ mode: 'manual', rect, learnFrames: 12, recheckEveryFrames: 300 });
    expect(detector.observe(screen(0))).toEqual({ roi: rect, method: 'configured', settled: true, changed: true });
    expect(detector.observe(screen(1))).toEqual({ roi: rect, method: 'configured', settled: true, changed: false });
  });

  it('falls back to the whole frame, with the reason, when the rectangle does not fit the frame', () => {
    const rect = { x: 500, y: 20, width: 300, height: 200 };
    const detector = new RoiDetector({ mode: 'manual', rect, learnFrames: 12, recheckEveryFrames: 300 });
    const update = detector.observe(screen(0));
    expect(update).toMatchObject({ roi: { x: 0, y: 0, width: W, height: H }, method: 'full-frame', changed: true });
    expect(update.problem).toMatch(/reaches outside the 640x360 frame/);
    expect(detector.observe(screen(1)).problem).toMatch(/reaches outside/);
  });

  it('full mode is the whole frame, re-reported after a size change', () => {
    const detector = new RoiDetector({ mode: 'full', learnFrames: 12, recheckEveryFrames: 300 });
    expect(detector.observe(screen(0))).toEqual({ roi: { x: 0, y: 0, width: W, height: H }, method: 'full-frame', settled: true, changed: true });
    expect(detector.observe(screen(1)).changed).toBe(false);
    expect(detector.observe(screen(2, { width: 320, height: 180, fan: { x: 10, y: 10, width: 100, height: 100 } }))).toMatchObject({
      roi: { width: 320, height: 180 },
      changed: true,
    });
  });
});
