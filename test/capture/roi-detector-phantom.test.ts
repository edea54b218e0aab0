import { describe, expect, it } from 'vitest';
import { PhantomFrameSource } from '../../src/capture/phantom-source.js';
import { examTruth } from '../../src/capture/phantom/script-builder.js';
import type { ScriptSegment } from '../../src/capture/phantom/script-types.js';
import { fanRect, type LayoutName } from '../../src/capture/phantom/screen-layout.js';
import { rectIoU } from '../../src/capture/rect.js';
import { RoiDetector, type RoiUpdate } from '../../src/capture/roi-detector.js';
import { ManualClock } from '../../src/core/clock.js';
import { EventBus } from '../../src/core/event-bus.js';
import type { Frame, Rect } from '../../src/core/frame.js';
import { captureConfig, silentLogger } from './helpers.js';

const CASE_OPTIONS = { label: 1 as const, borderlineFraction: 0 as const };

function examScript(): ScriptSegment[] {
  return [{ kind: 'exam', index: 0, durationS: 600, caseSeed: 11, caseOptions: CASE_OPTIONS, truth: examTruth(11, CASE_OPTIONS, null) }];
}

/**
 * `count` phantom scanner screens of `layout` (1080p). At capture.fps = 1 without realtime pacing each frame is one
 * second of script time, so the on-screen clock and the frame counter change on every frame.
 */
async function phantomFrames(layout: LayoutName, count: number, script: ScriptSegment[] = examScript()): Promise<Frame[]> {
  const config = captureConfig({ source: 'phantom', fps: 1, phantom: { layout, width: 1920, height: 1080, seed: 3 } });
  const source = new PhantomFrameSource({
    config,
    bus: new EventBus(),
    clock: new ManualClock(),
    logger: silentLogger(),
    realtime: false,
    script,
  });
  const controller = new AbortController();
  const frames: Frame[] = [];
  for await (const frame of source.frames(controller.signal)) {
    frames.push(frame);
    if (frames.length >= count) break;
  }
  controller.abort();
  return frames;
}

/** Pixels that differ between two frames inside `rect`. */
function changedPixels(a: Frame, b: Frame, rect: Rect): number {
  let n = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) if (a.data[y * a.width + x] !== b.data[y * b.width + x]) n += 1;
  }
  return n;
}

describe('RoiDetector on phantom scanner screens', () => {
  for (const layout of ['standard', 'compact', 'wide'] as const) {
    it(`finds the fan of the ${layout} layout (IoU >= 0.8 with the layout's fan rect) despite a clock ticking every frame`, async () => {
      const frames = await phantomFrames(layout, 12);
      const truth = fanRect(layout, 1920, 1080);
      // The screen really has changing text outside the fan: the test would be toothless otherwise.
      const outside = frames[0]!.height * frames[0]!.width;
      let textChanges = 0;
      for (let y = 0; y < frames[0]!.height; y += 1) {
        for (let x = 0; x < frames[0]!.width; x += 1) {
          const inside = x >= truth.x && x < truth.x + truth.width && y >= truth.y && y < truth.y + truth.height;
          if (!inside && frames[0]!.data[y * 1920 + x] !== frames[1]!.data[y * 1920 + x]) textChanges += 1;
        }
      }
      expect(textChanges).toBeGreaterThan(100);
      expect(textChanges).toBeLessThan(outside);
      expect(changedPixels(frames[0]!, frames[1]!, truth)).toBeGreaterThan((truth.width * truth.height) / 4);

      const detector = new RoiDetector({ mode: 'auto', learnFrames: 12, recheckEveryFrames: 300 });
      let update: RoiUpdate | null = null;
      for (const frame of frames) update = detector.observe(frame);
      expect(update).toMatchObject({ settled: true, changed: true, method: 'auto' });
      expect(rectIoU(update!.roi, truth)).toBeGreaterThanOrEqual(0.8);
    });
  }

  it('on an idle scanner (dark fan, faint noise) either waits or takes the fan, never the text; then follows the exam', async () => {
    const script: ScriptSegment[] = [{ kind: 'idle', index: 0, durationS: 8, truth: null }, { ...examScript()[0]!, index: 1 }];
    const frames = await phantomFrames('compact', 8 + 12, script);
    const detector = new RoiDetector({ mode: 'auto', learnFrames: 6, recheckEveryFrames: 300 });
    const updates = frames.map((frame) => detector.observe(frame));
    const truth = fanRect('compact', 1920, 1080);
    // Idle noise may be too faint to count as motion (then the ROI stays the whole frame and learning goes on), but
    // whatever is found must be the fan.
    for (const update of updates.slice(0, 8)) {
      if (update.settled) expect(rectIoU(update.roi, truth)).toBeGreaterThanOrEqual(0.8);
      else expect(update).toMatchObject({ method: 'full-frame', roi: { x: 0, y: 0, width: 1920, height: 1080 } });
    }
    const last = updates.at(-1)!;
    expect(last.settled).toBe(true);
    expect(rectIoU(last.roi, truth)).toBeGreaterThanOrEqual(0.8);
  });
});
