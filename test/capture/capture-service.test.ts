import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureService, type CapturedFrame } from '../../src/capture/capture-service.js';
import { FileFrameSource } from '../../src/capture/file-source.js';
import { FrameHandoff } from '../../src/capture/frame-handoff.js';
import type { FrameSource, FrameSourceStats } from '../../src/capture/frame-source.js';
import { PhantomFrameSource } from '../../src/capture/phantom-source.js';
import { examTruth } from '../../src/capture/phantom/script-builder.js';
import type { ScriptSegment } from '../../src/capture/phantom/script-types.js';
import { fanRect } from '../../src/capture/phantom/screen-layout.js';
import { rectIoU } from '../../src/capture/rect.js';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { MyoError } from '../../src/core/errors.js';
import { EventBus } from '../../src/core/event-bus.js';
import type { Frame, Rect } from '../../src/core/frame.js';
import { captureConfig, memoryLogger, recordEvents, silentLogger, syntheticScreen, waitFor, y4mBytes, type CaptureOverrides } from './helpers.js';

const W = 320;
const H = 180;
const FAN: Rect = { x: 80, y: 20, width: 160, height: 150 };

/** A FrameSource the test drives by hand: `push` a frame, `fail` the current iteration, count `frames()` calls. */
class ManualSource implements FrameSource {
  readonly name = 'manual';
  calls = 0;
  dropped = 0;
  #handoff: FrameHandoff | null = null;
  #seq = 0;

  push(data: Uint8Array, capturedAt: number, width = W, height = H): void {
    this.#handoff?.push({ seq: this.#seq++, capturedAt, width, height, format: 'gray8', data });
  }

  fail(error: Error): void {
    this.#handoff?.end(error);
  }

  get listening(): boolean {
    return this.#handoff !== null;
  }

  stats(): FrameSourceStats {
    return { produced: this.#seq, dropped: this.dropped, connects: 1, connected: true };
  }

  async *frames(signal: AbortSignal): AsyncGenerator<Frame> {
    this.calls += 1;
    const handoff = new FrameHandoff('all');
    this.#handoff = handoff;
    try {
      for (;;) {
        let frame: Frame | null;
        try {
          frame = await handoff.next(signal);
        } catch (error) {
          if (signal.aborted) return;
          throw error;
        }
        if (!frame) return;
        yield frame;
      }
    } finally {
      if (this.#handoff === handoff) this.#handoff = null;
    }
  }
}

const services: CaptureService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});

function setup(overrides: CaptureOverrides = {}, tickIntervalMs = 5) {
  const bus = new EventBus();
  const clock = new ManualClock(1000);
  const source = new ManualSource();
  const { logger, lines } = memoryLogger();
  const config = captureConfig({ roi: { learnFrames: 4 }, reconnect: { initialDelayMs: 10 }, ...overrides });
  const service = new CaptureService({ source, config, bus, clock, logger, tickIntervalMs });
  services.push(service);
  const events = recordEvents(bus, ['signalChanged', 'roiChanged']);
  /** Pushes `count` frames 33 ms apart (the clock advances), waiting until the service has seen each. */
  const feed = async (count: number, make: (i: number) => Uint8Array): Promise<void> => {
    for (let i = 0; i < count; i++) {
      clock.advance(33);
      const before = service.stats().framesCaptured;
      source.push(make(i), clock.now());
      await waitFor(() => service.stats().framesCaptured > before, 2000, 'the frame to be captured');
    }
  };
  return { bus, clock, source, service, events, feed, lines };
}

const live = (i: number): Uint8Array => syntheticScreen({ width: W, height: H, fan: FAN, frame: i });

describe('CaptureService', () => {
  it('puts each frame in the mailbox with its ROI and signal state, and reports ROI and signal on the bus', async () => {
    const { service, source, events, feed, clock } = setup();
    await service.start(new AbortController().signal);
    await waitFor(() => source.listening, 2000, 'the service to ask for frames');
    await feed(1, live);
    const first: CapturedFrame = await service.mailbox.take();
    expect(first).toMatchObject({ roiSettled: false, roiMethod: 'full-frame', roi: { x: 0, y: 0, width: W, height: H }, signal: 'no_signal' });
    expect(first.frame.seq).toBe(0);
    await feed(29, (i) => live(i + 1));
    const latest = await service.mailbox.take();
    expect(latest.frame.seq).toBe(29);
    expect(latest.roiSettled).toBe(true);
    expect(latest.signal).toBe('ok');
    expect(rectIoU(latest.roi, FAN)).toBeGreaterThanOrEqual(0.8);
    expect(events.map((e) => e.name)).toEqual(['signalChanged', 'roiChanged']);
    expect(events[0]!.payload).toMatchObject({ source: 'manual', state: 'ok', previous: 'no_signal' });
    expect(events[1]!.payload).toMatchObject({ method: 'auto' });
    const stats = service.stats();
    expect(stats).toMatchObject({ framesCaptured: 30, framesDropped: 28, signal: 'ok', width: W, height: H, sourceConnected: true });
    expect(stats.roi).toEqual(latest.roi);
    // 30 frames 33 ms apart on the manual clock: about 30 fps.
    expect(stats.fps).toBeGreaterThan(28);
    expect(stats.fps).toBeLessThan(32);
    clock.advance(5000);
    expect(service.stats().fps).toBe(0);
  });

  it('reports frozen and recovery', async () => {
    const { service, source, events, feed } = setup();
    await service.start(new AbortController().signal);
    await waitFor(() => source.listening, 2000, 'the service to ask for frames');
    await feed(10, live);
    const still = live(500);
    await feed(60, () => still);
    expect(service.stats().signal).toBe('frozen');
    await feed(3, (i) => live(600 + i));
    const states = events.filter((e) => e.name === 'signalChanged').map((e) => (e.payload as { state: string }).state);
    expect(states).toEqual(['ok', 'frozen', 'ok']);
  });

  it('reports blank for a black screen', async () => {
    const { service, source, events, feed } = setup({ roi: { mode: 'full' } });
    await service.start(new AbortController().signal);
    await waitFor(() => source.listening, 2000, 'the service to ask for frames');
    await feed(5, live);
    await feed(3, () => new Uint8Array(W * H));
    expect(service.stats().signal).toBe('blank');
    expect(events.filter((e) => e.name === 'signalChanged').at(-1)!.payload).toMatchObject({ state: 'blank', previous: 'ok' });
  });

  it('reports no_signal from its timer when frames stop, and recovery when they return', async () => {
    const { service, source, events, feed, clock } = setup({ signal: { noSignalTimeoutMs: 500 } });
    await service.start(new AbortController().signal);
    await waitFor(() => source.listening, 2000, 'the service to ask for frames');
    await feed(5, live);
    clock.advance(600);
    await waitFor(() => service.stats().signal === 'no_signal', 2000, 'no_signal');
    await feed(2, (i) => live(10 + i));
    const signal = events.filter((e) => e.name === 'signalChanged').map((e) => e.payload as { state: string; reason: string });
    expect(signal.map((s) => s.state)).toEqual(['ok', 'no_signal', 'ok']);
    expect(signal[1]!.reason).toMatch(/no frame for \d+ ms/);
  });

  it('turns its source\'s sourceDisconnected into a disconnected signal (ignoring other sources)', async () => {
    const { service, source, events, feed, bus } = setup();
    await service.start(new AbortController().signal);
    await waitFor(() => source.listening, 2000, 'the service to ask for frames');
    await feed(3, live);
    bus.emit('sourceDisconnected', { source: 'other', reason: 'x', attempt: 1, retryInMs: 10, at: 0 });
    expect(service.stats().signal).toBe('ok');
    bus.emit('sourceDisconnected', { source: 'manual', reason: 'ffmpeg exited with code 1', attempt: 1, retryInMs: 10, at: 0 });
    expect(service.stats().signal).toBe('disconnected');
    await feed(2, (i) => live(i + 5));
    const last = events.filter((e) => e.name === 'signalChanged').map((e) => e.payload as { state: string; reason: string });
    expect(last.map((s) => s.state)).toEqual(['ok', 'disconnected', 'ok']);
    expect(last[1]!.reason).toBe('ffmpeg exited with code 1');
  });

  it('logs a failing source and asks it again', async () => {
    const { service, source, feed, lines } = setup();
    await service.start(new AbortController().signal);
    await waitFor(() => source.listening, 2000, 'the service to ask for frames');
    await feed(2, live);
    source.fail(new MyoError('MYO_ERR_CAPTURE_SOURCE', 'device exploded'));
    await waitFor(() => source.calls === 2 && source.listening, 2000, 'the second frames() call');
    await feed(2, (i) => live(i + 2));
    expect(service.stats().framesCaptured).toBe(4);
    const error = lines.find((l) => l['msg'] === 'capture source failed; asking it again');
    expect(error).toBeDefined();
    expect(JSON.stringify(error)).toContain('device exploded');
  });

  it('counts drops in the mailbox and in the source', async () => {
    const { service, source, feed } = setup();
    await service.start(new AbortController().signal);
    await waitFor(() => source.listening, 2000, 'the service to ask for frames');
    source.dropped = 7;
    await feed(5, live);
    expect(service.stats().framesDropped).toBe(4 + 7);
    expect(service.mailbox.stats()).toMatchObject({ put: 5, dropped: 4, waiting: 1 });
  });

  it('logs a configured ROI that does not fit and uses the whole frame', async () => {
    const { service, source, feed, events, lines } = setup({ roi: { mode: 'manual', rect: { x: 300, y: 0, width: 100, height: 100 } } });
    await service.start(new AbortController().signal);
    await waitFor(() => source.listening, 2000, 'the service to ask for frames');
    await feed(1, live);
    expect(events.find((e) => e.name === 'roiChanged')!.payload).toMatchObject({ method: 'full-frame', roi: { width: W, height: H } });
    expect(lines.some((l) => String(l['problem']).includes('reaches outside'))).toBe(true);
  });

  it('stops quickly and idempotently, clearing its timer and its bus listeners', async () => {
    const { service, source, feed, clock, bus, events } = setup({ signal: { noSignalTimeoutMs: 200 } });
    await service.start(new AbortController().signal);
    await waitFor(() => source.listening, 2000, 'the service to ask for frames');
    await feed(3, live);
    expect(bus.listenerCount('sourceDisconnected')).toBe(1);
    const t0 = performance.now();
    await service.stop();
    expect(performance.now() - t0).toBeLessThan(100);
    await service.stop();
    expect(source.listening).toBe(false);
    expect(bus.listenerCount('sourceDisconnected')).toBe(0);
    const before = events.length;
    clock.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(events.length).toBe(before);
    await expect(service.start(new AbortController().signal)).rejects.toThrow(/started twice or after stop/);
  });
});

describe('CaptureService with real sources', () => {
  it('follows a phantom session live: ok, frozen, no_signal, and ok again, with the ROI on the fan', async () => {
    const options = { label: 0 as const, borderlineFraction: 0 as const };
    const exam = (index: number, caseSeed: number): ScriptSegment => ({
      kind: 'exam',
      index,
      durationS: 1.5,
      caseSeed,
      caseOptions: options,
      truth: examTruth(caseSeed, options, null),
    });
    const script: ScriptSegment[] = [
      exam(0, 21),
      { kind: 'frozen', index: 1, durationS: 1.5, truth: null },
      { kind: 'no-signal', index: 2, durationS: 1, truth: null },
      exam(3, 22),
    ];
    const bus = new EventBus();
    const events = recordEvents(bus, ['signalChanged', 'roiChanged']);
    const config = captureConfig({
      source: 'phantom',
      fps: 10,
      phantom: { width: 480, height: 270, layout: 'wide' },
      roi: { learnFrames: 4 },
      signal: { frozenAfterMs: 500, noSignalTimeoutMs: 400 },
    });
    const source = new PhantomFrameSource({ config, bus, clock: systemClock, logger: silentLogger(), script });
    const service = new CaptureService({ source, config, bus, clock: systemClock, logger: silentLogger() });
    services.push(service);
    await service.start(new AbortController().signal);
    const states = (): string[] => events.filter((e) => e.name === 'signalChanged').map((e) => (e.payload as { state: string }).state);
    await waitFor(() => states().join(',') === 'ok,frozen,no_signal,ok', 15_000, `ok,frozen,no_signal,ok (got ${states().join(',')})`);
    await service.stop();
    const roi = events.find((e) => e.name === 'roiChanged')!.payload as { roi: Rect; method: string };
    expect(roi.method).toBe('auto');
    expect(rectIoU(roi.roi, fanRect('wide', 480, 270))).toBeGreaterThanOrEqual(0.8);
  });

  it('runs a looping realtime Y4M file, finds the fan, and stops within ~100 ms', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myoscreen-capture-service-'));
    try {
      const frames = Array.from({ length: 20 }, (_, i) => syntheticScreen({ width: W, height: H, fan: FAN, frame: i }));
      const path = join(dir, 'exam.y4m');
      await writeFile(path, y4mBytes({ width: W, height: H, frames, rate: '60:1' }));
      const bus = new EventBus();
      const config = captureConfig({ source: 'file', file: { path, loop: true, realtime: true }, roi: { learnFrames: 6 } });
      const source = new FileFrameSource({ config, bus, clock: systemClock, logger: silentLogger() });
      const service = new CaptureService({ source, config, bus, clock: systemClock, logger: silentLogger() });
      services.push(service);
      await service.start(new AbortController().signal);
      let item: CapturedFrame | null = null;
      for (let i = 0; i < 40 && !item?.roiSettled; i++) item = await service.mailbox.take(AbortSignal.timeout(2000));
      expect(item?.roiSettled).toBe(true);
      expect(rectIoU(item!.roi, FAN)).toBeGreaterThanOrEqual(0.8);
      await waitFor(() => service.stats().signal === 'ok', 2000, 'signal ok');
      const t0 = performance.now();
      await service.stop();
      expect(performance.now() - t0).toBeLessThan(100);
      const captured = service.stats().framesCaptured;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(service.stats().framesCaptured).toBe(captured);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
