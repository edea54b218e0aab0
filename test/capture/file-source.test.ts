import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileFrameSource, isY4mPath } from '../../src/capture/file-source.js';
import { BModeRenderer } from '../../src/capture/phantom/bmode-renderer.js';
import { createCase } from '../../src/capture/phantom/sample-case.js';
import { systemClock } from '../../src/core/clock.js';
import { EventBus } from '../../src/core/event-bus.js';
import type { Frame } from '../../src/core/frame.js';
import { captureConfig, patternFrame, processAlive, recordEvents, silentLogger, waitFor, y4mBytes } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'myoscreen-file-source-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

function setup(file: { path: string; loop?: boolean; realtime?: boolean }, fps = 30) {
  const bus = new EventBus();
  const events = recordEvents(bus, ['sourceConnected', 'sourceDisconnected', 'resolutionChanged']);
  const config = captureConfig({
    source: 'file',
    fps,
    file: { loop: false, realtime: false, ...file },
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  const source = new FileFrameSource({ config, bus, clock: systemClock, logger: silentLogger(), random: () => 0.5, readChunkBytes: 4099 });
  const controller = new AbortController();
  controllers.push(controller);
  return { source, events, controller };
}

async function collect(source: FileFrameSource, signal: AbortSignal, max = Infinity, onFrame?: () => Promise<void>): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of source.frames(signal)) {
    frames.push(frame);
    if (frames.length >= max) break;
    await onFrame?.();
  }
  return frames;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

/** Runs a command to completion, feeding `input` on stdin; rejects on a non-zero exit with its stderr. */
function run(argv: string[], input?: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${argv[0]} exited ${code}: ${stderr}`))));
    child.stdin.end(input ? Buffer.from(input) : undefined);
  });
}

describe('FileFrameSource, native Y4M', () => {
  const W = 48;
  const H = 30;
  const frames = [0, 1, 2, 3, 4, 5].map((i) => patternFrame(W, H, i));

  it('recognises Y4M paths', () => {
    expect(isY4mPath('/a/b/exam.Y4M')).toBe(true);
    expect(isY4mPath('/a/b/exam.mkv')).toBe(false);
  });

  it('reads every frame in order and ends at the end of the file when not looping', async () => {
    const path = join(dir, 'six.y4m');
    await writeFile(path, y4mBytes({ width: W, height: H, frames, colorSpace: '420jpeg' }));
    const { source, controller, events } = setup({ path });
    const got = await collect(source, controller.signal);
    expect(got).toHaveLength(6);
    got.forEach((frame, i) => {
      expect(frame).toMatchObject({ seq: i, width: W, height: H, format: 'gray8' });
      expect(sameBytes(frame.data, frames[i]!)).toBe(true);
    });
    expect(events.map((e) => e.name)).toEqual(['sourceConnected', 'resolutionChanged']);
    expect(source.stats()).toEqual({ produced: 6, dropped: 0, connects: 1, connected: false });
  });

  it('loops without reporting a disconnection', async () => {
    const path = join(dir, 'loop.y4m');
    await writeFile(path, y4mBytes({ width: W, height: H, frames }));
    const { source, controller, events } = setup({ path, loop: true });
    const got = await collect(source, controller.signal, 20);
    expect(got).toHaveLength(20);
    expect(sameBytes(got[13]!.data, frames[1]!)).toBe(true);
    expect(events.filter((e) => e.name === 'sourceDisconnected')).toHaveLength(0);
  });

  it('paces frames at the file rate in realtime mode', async () => {
    const path = join(dir, 'paced.y4m');
    await writeFile(path, y4mBytes({ width: W, height: H, frames, rate: '50:1' }));
    const { source, controller } = setup({ path, realtime: true }, 5);
    const t0 = performance.now();
    const got = await collect(source, controller.signal);
    const took = performance.now() - t0;
    expect(got).toHaveLength(6);
    // Frame 5 is due 100 ms after frame 0 at 50 fps (capture.fps = 5 would be 1 s).
    expect(took).toBeGreaterThanOrEqual(95);
    expect(took).toBeLessThan(600);
  });

  it('in realtime mode skips the frames a slow consumer missed, leaving gaps in seq', async () => {
    const many = Array.from({ length: 30 }, (_, i) => patternFrame(W, H, i));
    const path = join(dir, 'skip.y4m');
    await writeFile(path, y4mBytes({ width: W, height: H, frames: many, rate: '100:1' }));
    const { source, controller } = setup({ path, realtime: true });
    const got = await collect(source, controller.signal, Infinity, () => new Promise((resolve) => setTimeout(resolve, 45)));
    expect(got.length).toBeLessThan(15);
    const stats = source.stats();
    expect(stats.dropped).toBe(30 - got.length);
    expect(stats.produced).toBe(30);
    expect(got.at(-1)!.seq).toBeGreaterThan(got.length);
    for (const frame of got) expect(sameBytes(frame.data, many[frame.seq]!)).toBe(true);
  });

  it('reports a missing file as disconnected, retries, and starts once the file appears', async () => {
    const path = join(dir, 'late.y4m');
    const { source, controller, events } = setup({ path });
    const pending = collect(source, controller.signal);
    await waitFor(() => events.filter((e) => e.name === 'sourceDisconnected').length >= 2, 5000, 'two retries');
    await writeFile(path, y4mBytes({ width: W, height: H, frames }));
    const got = await pending;
    expect(got).toHaveLength(6);
    const first = events[0]!;
    expect(first.name).toBe('sourceDisconnected');
    expect(first.payload).toMatchObject({ source: 'file', attempt: 1, retryInMs: 50 });
    expect((first.payload as { reason: string }).reason).toMatch(/ENOENT/);
    expect(events.at(-2)).toMatchObject({ name: 'sourceConnected', payload: { attempt: events.length - 1 } });
  });

  it('reports a malformed file with the parser error and keeps retrying', async () => {
    const path = join(dir, 'bad.y4m');
    await writeFile(path, 'YUV4MPEG2 W10 H10 C420p12\nFRAME\n');
    const { source, controller, events } = setup({ path });
    const pending = collect(source, controller.signal);
    await waitFor(() => events.length >= 2, 5000, 'two failures');
    controller.abort();
    await pending;
    expect((events[0]!.payload as { reason: string }).reason).toMatch(/colour space C420p12 is not supported/);
  });

  it('reports a file without a complete frame instead of looping on it', async () => {
    const path = join(dir, 'empty.y4m');
    await writeFile(path, 'YUV4MPEG2 W10 H10 Cmono\nFRAME\n123');
    const { source, controller, events } = setup({ path, loop: true });
    const pending = collect(source, controller.signal);
    await waitFor(() => events.length >= 2, 5000, 'two failures');
    controller.abort();
    await pending;
    expect((events[0]!.payload as { reason: string }).reason).toMatch(/holds no complete Y4M frame/);
  });
});

describe('FileFrameSource through ffmpeg, on a clip encoded from phantom frames', () => {
  const W = 320;
  const H = 240;
  const COUNT = 12;
  const phantom: Uint8Array[] = [];

  beforeAll(async () => {
    const renderer = new BModeRenderer();
    const c = createCase(7);
    for (let frame = 0; frame < COUNT; frame++) phantom.push(renderer.render(c, { width: W, height: H, frame }).pixels);
    const raw = Buffer.concat(phantom);
    const input = ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${W}x${H}`, '-r', '25', '-i', '-'];
    const quiet = ['ffmpeg', '-hide_banner', '-loglevel', 'error', '-y'];
    await run([...quiet, ...input, '-c:v', 'ffv1', join(dir, 'clip.mkv')], raw);
    await run([...quiet, ...input, '-c:v', 'mpeg4', '-q:v', '2', '-pix_fmt', 'yuv420p', join(dir, 'clip.mp4')], raw);
  });

  it('decodes a lossless FFV1 clip back to the exact phantom frames', async () => {
    const { source, controller, events } = setup({ path: join(dir, 'clip.mkv') });
    const got = await collect(source, controller.signal);
    expect(got).toHaveLength(COUNT);
    got.forEach((frame, i) => {
      expect(frame).toMatchObject({ seq: i, width: W, height: H });
      expect(sameBytes(frame.data, phantom[i]!)).toBe(true);
    });
    expect(source.childPid).toBeNull();
    expect(source.stats()).toMatchObject({ produced: COUNT, dropped: 0, connects: 1 });
    expect(events.filter((e) => e.name === 'sourceDisconnected')).toHaveLength(0);
  });

  it('decodes a lossy MPEG-4 clip to frames close to the phantom frames', async () => {
    const { source, controller } = setup({ path: join(dir, 'clip.mp4') });
    const got = await collect(source, controller.signal);
    expect(got).toHaveLength(COUNT);
    got.forEach((frame, i) => {
      const expected = phantom[i]!;
      let diff = 0;
      for (let p = 0; p < expected.length; p++) diff += Math.abs((frame.data[p] ?? 0) - (expected[p] ?? 0));
      expect(frame).toMatchObject({ width: W, height: H });
      // Video range (16-235) round trip plus quantisation; a wrong frame or size would be tens of levels off.
      expect(diff / expected.length).toBeLessThan(4);
    });
  });

  it('loops a clip through ffmpeg (restarting it) and stops it promptly', async () => {
    const { source, controller, events } = setup({ path: join(dir, 'clip.mkv'), loop: true, realtime: true });
    const frames: Frame[] = [];
    const pids = new Set<number>();
    const done = (async () => {
      for await (const frame of source.frames(controller.signal)) {
        frames.push(frame);
        if (source.childPid !== null) pids.add(source.childPid);
      }
    })();
    await waitFor(() => frames.length >= COUNT + 4, 10_000, 'frames past the first pass');
    controller.abort();
    await done;
    expect(events.filter((e) => e.name === 'sourceDisconnected')).toHaveLength(0);
    expect(events.filter((e) => e.name === 'sourceConnected')).toHaveLength(1);
    // seq counts every frame read, so it also places frames of the second pass if any was dropped.
    const secondPass = frames.filter((f) => f.seq >= COUNT);
    expect(secondPass.length).toBeGreaterThan(0);
    for (const frame of secondPass) expect(sameBytes(frame.data, phantom[frame.seq % COUNT]!)).toBe(true);
    // One ffmpeg per pass, every one of them gone after the stop.
    expect(pids.size).toBeGreaterThanOrEqual(2);
    for (const pid of pids) expect(processAlive(pid)).toBe(false);
    expect(source.childPid).toBeNull();
  });
});
