import { afterEach, describe, expect, it } from 'vitest';
import { v4l2Pipeline, V4l2FrameSource } from '../../src/capture/v4l2-source.js';
import { systemClock } from '../../src/core/clock.js';
import { EventBus } from '../../src/core/event-bus.js';
import type { Frame } from '../../src/core/frame.js';
import { captureConfig, recordEvents, silentLogger, waitFor, type CaptureOverrides } from './helpers.js';

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

function setup(overrides: CaptureOverrides, isJetson = false) {
  const bus = new EventBus();
  const events = recordEvents(bus, ['sourceConnected', 'sourceDisconnected', 'resolutionChanged']);
  const config = captureConfig({ source: 'v4l2', reconnect: { initialDelayMs: 50, maxDelayMs: 200 }, ...overrides });
  const source = new V4l2FrameSource({
    config,
    bus,
    clock: systemClock,
    logger: silentLogger(),
    isJetson: () => Promise.resolve(isJetson),
    random: () => 0.5,
  });
  const controller = new AbortController();
  controllers.push(controller);
  const frames: Frame[] = [];
  const run = async (): Promise<void> => {
    for await (const frame of source.frames(controller.signal)) frames.push(frame);
  };
  return { source, events, controller, frames, run };
}

describe('v4l2Pipeline', () => {
  it('picks ffmpeg, GStreamer (hardware decode on a Jetson, software elsewhere) or the custom command', () => {
    const base = captureConfig({ v4l2: { device: '/dev/v4l/by-id/grabber-video-index0', width: 1280, height: 720 } });
    expect(v4l2Pipeline(base, false).argv).toContain('/dev/v4l/by-id/grabber-video-index0');
    expect(v4l2Pipeline(base, false).argv[0]).toBe('ffmpeg');
    const gst = captureConfig({ v4l2: { pipeline: 'gstreamer' } });
    expect(v4l2Pipeline(gst, true).argv).toContain('nvv4l2decoder');
    expect(v4l2Pipeline(gst, false).argv).toContain('jpegdec');
    const forced = captureConfig({ v4l2: { pipeline: 'gstreamer', decoder: 'nvjpegdec' } });
    expect(v4l2Pipeline(forced, false).argv).toContain('nvjpegdec');
    const custom = captureConfig({ v4l2: { pipeline: 'custom', command: ['grab', '-o', '-'], output: 'raw', width: 640, height: 480, stride: 640 } });
    expect(v4l2Pipeline(custom, false)).toEqual({ argv: ['grab', '-o', '-'], output: { format: 'raw', width: 640, height: 480, stride: 640 } });
  });
});

describe('V4l2FrameSource', () => {
  it('reports a missing device as disconnected and retries with backoff, without spawning ffmpeg', async () => {
    const { source, events, controller, run } = setup({ v4l2: { device: '/dev/video-missing-for-test' } });
    const done = run();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(source.childPid).toBeNull();
    controller.abort();
    await done;
    const retries = events.map((e) => e.payload as { retryInMs: number; reason: string });
    // 50 + 100 + 200 + 200: at most four attempts in 400 ms.
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(retries.length).toBeLessThanOrEqual(4);
    expect(retries.slice(0, 3).map((r) => r.retryInMs)).toEqual([50, 100, 200]);
    expect(retries[0]!.reason).toMatch(/capture device \/dev\/video-missing-for-test is not there \(ENOENT\)/);
    expect(events.every((e) => e.name === 'sourceDisconnected')).toBe(true);
  });

  it('reads frames from a custom capture command (ffmpeg test source standing in for a grabber)', async () => {
    const { source, events, controller, frames, run } = setup({
      v4l2: {
        pipeline: 'custom',
        output: 'raw',
        width: 320,
        height: 240,
        command: [
          'ffmpeg', '-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi',
          '-i', 'testsrc=size=320x240:rate=30', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1',
        ],
      },
    });
    const done = run();
    await waitFor(() => frames.length >= 4, 10_000, 'frames');
    controller.abort();
    await done;
    expect(source.name).toBe('v4l2');
    expect(frames[0]).toMatchObject({ width: 320, height: 240 });
    // testsrc draws colour bars: the gray frame is far from flat.
    expect(new Set(frames[0]!.data).size).toBeGreaterThan(8);
    expect(events[0]).toMatchObject({ name: 'sourceConnected', payload: { source: 'v4l2', attempt: 1 } });
    expect(source.stats()).toMatchObject({ connects: 1 });
  });
});
