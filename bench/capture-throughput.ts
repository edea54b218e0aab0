import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Value } from '@sinclair/typebox/value';
import { FileFrameSource } from '../src/capture/file-source.js';
import type { FrameSource } from '../src/capture/frame-source.js';
import type { GrayImage } from '../src/capture/gray-frame.js';
import { RoiDetector } from '../src/capture/roi-detector.js';
import { SignalMonitor } from '../src/capture/signal-monitor.js';
import { SubprocessFrameSource } from '../src/capture/subprocess-source.js';
import { PhantomFrameSource } from '../src/capture/phantom-source.js';
import { systemClock } from '../src/core/clock.js';
import { ConfigSchema, type CaptureConfig } from '../src/core/config/schema.js';
import { EventBus } from '../src/core/event-bus.js';
import type { BenchModule } from './types.js';

const W = 1920;
const H = 1080;

/** Default capture config with `patch` applied to its sections. */
function captureConfig(patch: (c: CaptureConfig) => CaptureConfig): CaptureConfig {
  return patch((Value.Default(ConfigSchema, {}) as { capture: CaptureConfig }).capture);
}

/** Frames/s and ms/frame for reading `count` frames from `source` as fast as it gives them. */
async function drain(source: FrameSource, count: number): Promise<{ fps: number; msPerFrame: number; frames: number }> {
  const controller = new AbortController();
  let frames = 0;
  let checksum = 0;
  const t0 = performance.now();
  for await (const frame of source.frames(controller.signal)) {
    checksum += frame.data[frame.data.length >> 1] ?? 0;
    frames += 1;
    if (frames >= count) break;
  }
  const ms = performance.now() - t0;
  controller.abort();
  if (checksum < 0) throw new Error('unreachable');
  return { fps: (frames * 1000) / ms, msPerFrame: ms / frames, frames };
}

/** A 1080p screen: static text blocks, and noise in a sector that changes every frame. */
function screen(frame: number): Uint8Array {
  const data = new Uint8Array(W * H);
  let s = (frame * 2654435761) >>> 0;
  for (let y = 100; y < 1000; y++) {
    const half = Math.min(700, (y - 100) * 0.9);
    for (let x = Math.round(960 - half); x < 960 + half; x++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      data[y * W + x] = 40 + (s >>> 25);
    }
  }
  for (let y = 20; y < 60; y++) for (let x = 20; x < 400; x++) data[y * W + x] = (x >> 3) % 2 ? 230 : 0;
  return data;
}

export const run: BenchModule = async ({ quick }) => {
  const bus = new EventBus();
  const logger = pino({ level: 'silent' });
  const deps = { bus, clock: systemClock, logger };
  const dir = await mkdtemp(join(tmpdir(), 'myoscreen-bench-capture-'));
  const metrics: Record<string, number | string | boolean> = {};
  try {
    // (a) Native Y4M reader: a short 1080p clip looped (served from the page cache), realtime pacing off.
    const clipFrames = 8;
    const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`);
    const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
    const parts: Buffer[] = [header];
    for (let i = 0; i < clipFrames; i++) parts.push(Buffer.from('FRAME\n'), Buffer.from(screen(i)), chroma);
    const path = join(dir, 'clip.y4m');
    await writeFile(path, Buffer.concat(parts));
    const fileConfig = captureConfig((c) => ({ ...c, source: 'file', file: { path, loop: true, realtime: false } }));
    const y4m = await drain(new FileFrameSource({ config: fileConfig, ...deps }), quick ? 60 : 300);
    metrics['y4m_native_fps'] = y4m.fps;
    metrics['y4m_native_ms_per_frame'] = y4m.msPerFrame;

    // (b) The ffmpeg subprocess path: ffmpeg generates 1080p, converts to gray Y4M, we parse the pipe.
    const count = quick ? 60 : 240;
    const ffmpeg = new SubprocessFrameSource(
      {
        name: 'bench-ffmpeg',
        command: [
          'ffmpeg', '-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi',
          '-i', `testsrc2=size=${W}x${H}:rate=30`, '-frames:v', String(count + 5),
          '-f', 'yuv4mpegpipe', '-pix_fmt', 'gray', 'pipe:1',
        ],
        output: { format: 'y4m' },
        reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
        onCleanExit: 'end',
        delivery: 'all',
      },
      deps,
    );
    const viaFfmpeg = await drain(ffmpeg, count);
    metrics['ffmpeg_subprocess_fps'] = viaFfmpeg.fps;
    metrics['ffmpeg_subprocess_ms_per_frame'] = viaFfmpeg.msPerFrame;

    // (c) Per-frame checks: signal monitor on a full-frame ROI, and auto ROI while it learns (its worst case).
    const frames = [0, 1, 2, 3].map((i) => ({ width: W, height: H, data: screen(i) }));
    const at = (i: number): GrayImage => frames[i % frames.length] as GrayImage;
    const defaults = captureConfig((c) => c);
    const monitor = new SignalMonitor(defaults.signal);
    const full = { x: 0, y: 0, width: W, height: H };
    const n = quick ? 100 : 400;
    for (let i = 0; i < 30; i++) monitor.observe(at(i), full, i * 33);
    let t0 = performance.now();
    for (let i = 0; i < n; i++) monitor.observe(at(i), full, (30 + i) * 33);
    metrics['signal_monitor_ms_per_frame'] = (performance.now() - t0) / n;
    // learnFrames = recheck interval + 1 keeps the detector learning on every frame.
    const learning = new RoiDetector({ mode: 'auto', learnFrames: 300, recheckEveryFrames: 10 });
    for (let i = 0; i < 10; i++) learning.observe(at(i));
    t0 = performance.now();
    const learnN = Math.min(n, 280);
    for (let i = 0; i < learnN; i++) learning.observe(at(i));
    metrics['roi_learning_ms_per_frame'] = (performance.now() - t0) / learnN;
    const settled = new RoiDetector({ ...defaults.roi, recheckEveryFrames: 100_000 });
    for (let i = 0; i < defaults.roi.learnFrames; i++) settled.observe(at(i));
    t0 = performance.now();
    for (let i = 0; i < n; i++) settled.observe(at(i));
    metrics['roi_settled_ms_per_frame'] = (performance.now() - t0) / n;
    metrics['roi_found'] = settled.current?.method === 'auto';

    // (d) The phantom scanner screen, rendered as fast as it can (no realtime pacing).
    const phantomConfig = captureConfig((c) => ({ ...c, source: 'phantom' }));
    const phantom = await drain(new PhantomFrameSource({ config: phantomConfig, ...deps, realtime: false }), quick ? 5 : 20);
    metrics['phantom_fps'] = phantom.fps;
    metrics['phantom_ms_per_frame'] = phantom.msPerFrame;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    name: 'capture-throughput',
    description: `1080p gray frames through each capture path (${quick ? 'quick' : 'full'} run)`,
    metrics,
    targets: {
      y4m_native_fps: { op: '>=', value: 60 },
      ffmpeg_subprocess_fps: { op: '>=', value: 30 },
      signal_monitor_ms_per_frame: { op: '<=', value: 1 },
      roi_learning_ms_per_frame: { op: '<=', value: 3 },
    },
  };
};
