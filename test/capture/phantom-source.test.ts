import { describe, expect, it } from 'vitest';
import { PhantomFrameSource, type PhantomSourceDeps } from '../../src/capture/phantom-source.js';
import { examTruth, phantomScript } from '../../src/capture/phantom/script-builder.js';
import type { ScriptSegment } from '../../src/capture/phantom/script-types.js';
import { ManualClock, systemClock, type Clock } from '../../src/core/clock.js';
import { EventBus } from '../../src/core/event-bus.js';
import { isMyoError } from '../../src/core/errors.js';
import type { Frame } from '../../src/core/frame.js';
import { captureConfig, recordEvents, silentLogger } from './helpers.js';

const IDLE_ONLY: ScriptSegment[] = [{ kind: 'idle', index: 0, durationS: 60, truth: null }];

function source(
  options: { fps?: number; width?: number; height?: number; script?: ScriptSegment[]; realtime?: boolean; clock?: Clock; seed?: number },
  bus = new EventBus(),
): PhantomFrameSource {
  const config = captureConfig({
    source: 'phantom',
    fps: options.fps ?? 30,
    phantom: { width: options.width ?? 640, height: options.height ?? 360, layout: 'standard', seed: options.seed ?? 1 },
  });
  const deps: PhantomSourceDeps = {
    config,
    bus,
    clock: options.clock ?? new ManualClock(),
    logger: silentLogger(),
    realtime: options.realtime ?? false,
    ...(options.script ? { script: options.script } : {}),
  };
  return new PhantomFrameSource(deps);
}

/** Pulls `count` frames, calling `each` after every one; aborts afterwards. */
async function take(src: PhantomFrameSource, count: number, each?: (frame: Frame) => unknown): Promise<Frame[]> {
  const controller = new AbortController();
  const frames: Frame[] = [];
  for await (const frame of src.frames(controller.signal)) {
    frames.push(frame);
    await each?.(frame);
    if (frames.length >= count) break;
  }
  controller.abort();
  return frames;
}

describe('PhantomFrameSource (as fast as asked)', () => {
  it('produces 1080p gray frames by default, seq counting up, stamped by the injected clock', async () => {
    const clock = new ManualClock(1000);
    const bus = new EventBus();
    const events = recordEvents(bus, ['sourceConnected', 'resolutionChanged']);
    const src = new PhantomFrameSource({
      config: captureConfig({ source: 'phantom' }),
      bus,
      clock,
      logger: silentLogger(),
      realtime: false,
      script: IDLE_ONLY,
    });
    const frames = await take(src, 4, () => clock.advance(40));
    expect(frames.map((f) => [f.seq, f.width, f.height, f.format, f.data.length])).toEqual(
      [0, 1, 2, 3].map((seq) => [seq, 1920, 1080, 'gray8', 1920 * 1080]),
    );
    expect(frames.map((f) => f.capturedAt)).toEqual([1000, 1040, 1080, 1120]);
    expect(events.map((e) => e.name)).toEqual(['sourceConnected', 'resolutionChanged']);
    expect(src.stats()).toEqual({ produced: 4, dropped: 0, connects: 1, connected: true });
    expect(src.name).toBe('phantom');
  });

  it('plays the default script of capture.phantom.seed', () => {
    expect(source({ seed: 42 }).script).toEqual(phantomScript(42));
  });

  it('yields nothing during no-signal segments and announces every segment with its ground truth', async () => {
    const options = { label: 0 as const, borderlineFraction: 0 as const };
    const script: ScriptSegment[] = [
      { kind: 'idle', index: 0, durationS: 0.5, truth: null },
      { kind: 'no-signal', index: 1, durationS: 1, truth: null },
      { kind: 'exam', index: 2, durationS: 0.3, caseSeed: 5, caseOptions: options, truth: examTruth(5, options, null) },
    ];
    const bus = new EventBus();
    const started = recordEvents(bus, ['phantomSegmentStarted']);
    const src = source({ fps: 10, script }, bus);
    const seen: (number | undefined)[] = [];
    const frames = await take(src, 13, () => seen.push(src.currentSegment()?.segment.index));
    // Per cycle: 5 idle frames, no frame for the 10 no-signal slots, 3 exam frames.
    expect(seen).toEqual([0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0]);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    expect(src.stats().dropped).toBe(0);
    expect(started.map((e) => [e.payload.index, e.payload.kind, e.payload.expected, e.payload.label])).toEqual([
      [0, 'idle', null, null],
      [1, 'no-signal', null, null],
      [2, 'exam', 'no_invasion', 0],
      [0, 'idle', null, null],
    ]);
    expect(src.currentSegment()).toMatchObject({ cycle: 1, slotInSegment: 4, segmentSlots: 5 });
  });

  it('hands out a new buffer per frame and never touches it again', async () => {
    const src = source({ fps: 10, script: IDLE_ONLY });
    const copies: Uint8Array[] = [];
    const frames = await take(src, 6, (frame) => copies.push(frame.data.slice()));
    for (let i = 0; i < frames.length; i++) {
      expect(Buffer.compare(frames[i]!.data, copies[i]!)).toBe(0);
      if (i > 0) expect(frames[i]!.data.buffer).not.toBe(frames[i - 1]!.data.buffer);
    }
  });

  it('refuses a second reader and a script that never shows a frame', async () => {
    const src = source({ script: IDLE_ONLY });
    const controller = new AbortController();
    const first = src.frames(controller.signal)[Symbol.asyncIterator]();
    await first.next();
    expect(() => src.frames(controller.signal)).toThrow(expect.objectContaining({ code: 'MYO_ERR_LIFECYCLE' }));
    controller.abort();
    await first.return?.();

    const silent = source({ fps: 10, script: [{ kind: 'no-signal', index: 0, durationS: 1, truth: null }] });
    let caught: unknown;
    try {
      await take(silent, 1);
    } catch (error) {
      caught = error;
    }
    expect(isMyoError(caught, 'MYO_ERR_PHANTOM_PARAMS')).toBe(true);
  });
});

describe('PhantomFrameSource (real time)', () => {
  it('paces frames at capture.fps against its start time', async () => {
    const src = source({ fps: 30, script: IDLE_ONLY, realtime: true, clock: systemClock });
    const frames = await take(src, 31);
    const span = frames.at(-1)!.capturedAt - frames[0]!.capturedAt;
    // 30 periods of 33.3 ms; generous bounds for a shared machine, but a source without pacing would take ~0.1 s.
    expect(span).toBeGreaterThan(900);
    expect(span).toBeLessThan(1300);
    // Scheduled against the start: frame k is never early.
    frames.forEach((f, k) => expect(f.capturedAt - frames[0]!.capturedAt).toBeGreaterThanOrEqual(k * (1000 / 30) - 2));
    expect(src.stats().dropped).toBe(0);
  });

  it('goes silent for the length of a no-signal segment', async () => {
    const script: ScriptSegment[] = [
      { kind: 'idle', index: 0, durationS: 0.2, truth: null },
      { kind: 'no-signal', index: 1, durationS: 0.6, truth: null },
      { kind: 'idle', index: 2, durationS: 5, truth: null },
    ];
    const src = source({ fps: 20, script, realtime: true, clock: systemClock });
    const frames = await take(src, 6);
    const gaps = frames.slice(1).map((f, i) => f.capturedAt - frames[i]!.capturedAt);
    // Frames 0-3 are the first idle (4 slots of 50 ms), frame 4 comes after 12 silent slots.
    expect(gaps[3]).toBeGreaterThan(550);
    expect(gaps[3]).toBeLessThan(900);
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('passes over slots a slow consumer missed, counting them as drops', async () => {
    const src = source({ fps: 50, script: IDLE_ONLY, realtime: true, clock: systemClock });
    const frames = await take(src, 5, () => new Promise((resolve) => setTimeout(resolve, 100)));
    const seqs = frames.map((f) => f.seq);
    expect(seqs[0]).toBe(0);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]! - seqs[i - 1]!).toBeGreaterThanOrEqual(3);
    const stats = src.stats();
    expect(stats.dropped).toBe(seqs.at(-1)! - 4);
    expect(stats.produced).toBe(seqs.at(-1)! + 1);
  });

  it('stops waiting as soon as it is aborted', async () => {
    const src = source({ fps: 1, script: IDLE_ONLY, realtime: true, clock: systemClock });
    const controller = new AbortController();
    const it = src.frames(controller.signal)[Symbol.asyncIterator]();
    await it.next();
    const pending = it.next();
    const t0 = performance.now();
    setTimeout(() => controller.abort(), 50);
    const result = await pending;
    expect(result.done).toBe(true);
    expect(performance.now() - t0).toBeLessThan(400);
  });
});
