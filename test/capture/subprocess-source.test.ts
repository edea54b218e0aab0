import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SubprocessFrameSource, type SubprocessSourceOptions } from '../../src/capture/subprocess-source.js';
import { systemClock } from '../../src/core/clock.js';
import { EventBus } from '../../src/core/event-bus.js';
import type { Frame } from '../../src/core/frame.js';
import { processAlive, recordEvents, silentLogger, waitFor } from './helpers.js';

/** ffmpeg's test pattern as Y4M gray, paced like a live grabber. */
function testsrc(width: number, height: number, rate = 30, extra: string[] = []): string[] {
  return [
    'ffmpeg', '-hide_banner', '-nostdin', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${rate}`,
    ...extra, '-f', 'yuv4mpegpipe', '-pix_fmt', 'gray', 'pipe:1',
  ];
}

/** A node one-liner writing `count` raw frames with rows padded to `stride` (row y filled with y), then exiting. */
function rawWriter(width: number, height: number, stride: number, count: number): string[] {
  const script = `
    const f = Buffer.alloc(${stride * height}, 0xee);
    for (let y = 0; y < ${height}; y++) f.fill(y & 255, y * ${stride}, y * ${stride} + ${width});
    let n = 0;
    const write = () => { if (n++ >= ${count}) return; process.stdout.write(f, write); };
    write();`;
  return [process.execPath, '-e', script];
}

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

function setup(options: Partial<SubprocessSourceOptions> & Pick<SubprocessSourceOptions, 'command'>) {
  const bus = new EventBus();
  const events = recordEvents(bus, ['sourceConnected', 'sourceDisconnected', 'resolutionChanged']);
  const source = new SubprocessFrameSource(
    {
      name: 'test',
      output: { format: 'y4m' },
      reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
      onCleanExit: 'disconnect',
      delivery: 'newest',
      random: () => 0.5,
      ...options,
    },
    { bus, clock: systemClock, logger: silentLogger() },
  );
  const controller = new AbortController();
  controllers.push(controller);
  return { bus, events, source, controller };
}

/** Pulls frames in the background into `frames` until aborted; `done` settles when the iteration ends. */
function drain(source: SubprocessFrameSource, signal: AbortSignal, onFrame?: (frame: Frame) => Promise<void> | void) {
  const frames: Frame[] = [];
  const done = (async () => {
    for await (const frame of source.frames(signal)) {
      frames.push(frame);
      await onFrame?.(frame);
    }
  })();
  return { frames, done };
}

describe('SubprocessFrameSource', () => {
  it('reads Y4M frames from ffmpeg and reports the connection and the first size', async () => {
    const { source, controller, events } = setup({ command: testsrc(160, 120) });
    const { frames, done } = drain(source, controller.signal);
    await waitFor(() => frames.length >= 5, 10_000, '5 frames');
    controller.abort();
    await done;
    expect(frames[0]).toMatchObject({ width: 160, height: 120, format: 'gray8' });
    expect(frames[0]!.data).toHaveLength(160 * 120);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    expect(events.map((e) => e.name)).toEqual(['sourceConnected', 'resolutionChanged']);
    expect(events[1]!.payload).toMatchObject({ width: 160, height: 120, previous: null });
    expect(source.stats()).toMatchObject({ connects: 1, connected: true });
  });

  it('reconnects after its subprocess is killed mid-stream (SIGKILL), and frames resume', async () => {
    const { source, controller, events } = setup({ command: testsrc(160, 120) });
    const { frames, done } = drain(source, controller.signal);
    await waitFor(() => frames.length >= 3, 10_000, 'first frames');
    const firstPid = source.childPid!;
    expect(processAlive(firstPid)).toBe(true);
    process.kill(firstPid, 'SIGKILL');
    await waitFor(() => events.some((e) => e.name === 'sourceDisconnected'), 5000, 'sourceDisconnected');
    const before = frames.length;
    await waitFor(() => events.filter((e) => e.name === 'sourceConnected').length === 2, 10_000, 'reconnect');
    await waitFor(() => frames.length >= before + 3, 10_000, 'frames after the reconnect');
    controller.abort();
    await done;
    const disconnected = events.find((e) => e.name === 'sourceDisconnected')!.payload;
    expect(disconnected).toMatchObject({ source: 'test', attempt: 1, retryInMs: 50 });
    expect((disconnected as { reason: string }).reason).toMatch(/ffmpeg was killed by SIGKILL/);
    expect(events.map((e) => e.name)).toEqual(['sourceConnected', 'resolutionChanged', 'sourceDisconnected', 'sourceConnected']);
    expect(events.at(-1)!.payload).toMatchObject({ attempt: 2 });
    expect(source.stats()).toMatchObject({ connects: 2 });
    expect(processAlive(firstPid)).toBe(false);
    // seq keeps counting across the reconnect.
    expect(frames.every((f, i) => i === 0 || f.seq > frames[i - 1]!.seq)).toBe(true);
  });

  it('retries a command that cannot start with growing delays, without spinning', async () => {
    const { source, controller, events } = setup({ command: ['/nonexistent/capture-tool', '--x'] });
    const { done } = drain(source, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 700));
    controller.abort();
    await done;
    const retries = events.filter((e) => e.name === 'sourceDisconnected').map((e) => e.payload as { retryInMs: number; attempt: number; reason: string });
    // 50 + 100 + 200 = 350 ms, + 400 = 750 ms: three or four attempts in 700 ms, not hundreds.
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(retries.length).toBeLessThanOrEqual(4);
    expect(retries.map((r) => r.retryInMs).slice(0, 3)).toEqual([50, 100, 200]);
    expect(retries.map((r) => r.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    expect(retries[0]!.reason).toMatch(/cannot start \/nonexistent\/capture-tool: .*ENOENT/);
    expect(source.stats()).toMatchObject({ produced: 0, connects: 0, connected: false });
  });

  it('puts the last stderr line of a failing command in the reason', async () => {
    const { source, controller, events } = setup({ command: ['sh', '-c', 'echo starting >&2; echo "device busy" >&2; exit 3'] });
    const { done } = drain(source, controller.signal);
    await waitFor(() => events.some((e) => e.name === 'sourceDisconnected'), 5000, 'sourceDisconnected');
    controller.abort();
    await done;
    expect(events[0]!.payload).toMatchObject({ reason: 'sh exited with code 3: device busy' });
  });

  it('treats a malformed stream as a failure with MYO_ERR_CAPTURE_STREAM and restarts the command', async () => {
    const { source, controller, events } = setup({ command: ['sh', '-c', 'printf "NOT A Y4M STREAM\\n"; sleep 5'] });
    const { done } = drain(source, controller.signal);
    await waitFor(() => events.filter((e) => e.name === 'sourceDisconnected').length >= 2, 5000, 'two failures');
    controller.abort();
    await done;
    expect((events[0]!.payload as { reason: string }).reason).toMatch(/Y4M stream is malformed: stream does not start with YUV4MPEG2/);
  });

  it('repacks raw output with a padded stride and ends the iterable at a clean exit when asked to', async () => {
    const { source, controller, events } = setup({
      command: rawWriter(1366, 4, 1368, 3),
      output: { format: 'raw', width: 1366, height: 4, stride: 1368 },
      onCleanExit: 'end',
      delivery: 'all',
    });
    const { frames, done } = drain(source, controller.signal);
    await done;
    expect(frames).toHaveLength(3);
    for (const frame of frames) {
      expect(frame.data).toHaveLength(1366 * 4);
      expect([...new Set(frame.data.subarray(1366 * 3))]).toEqual([3]);
      expect(frame.data.includes(0xee)).toBe(false);
    }
    expect(events.some((e) => e.name === 'sourceDisconnected')).toBe(false);
    expect(source.stats()).toMatchObject({ produced: 3, dropped: 0, connected: false });
  });

  it('loops a command that exits cleanly without reporting a disconnection', async () => {
    const { source, controller, events } = setup({
      command: rawWriter(8, 2, 8, 2),
      output: { format: 'raw', width: 8, height: 2 },
      onCleanExit: 'loop',
      delivery: 'all',
    });
    const { frames, done } = drain(source, controller.signal);
    await waitFor(() => frames.length >= 7, 10_000, 'frames from several runs');
    controller.abort();
    await done;
    expect(events.map((e) => e.name)).toEqual(['sourceConnected', 'resolutionChanged']);
  });

  it('keeps only the newest frame for a slow consumer and counts the rest as dropped', async () => {
    const { source, controller } = setup({ command: testsrc(64, 48, 200) });
    const { frames, done } = drain(source, controller.signal, () => new Promise((resolve) => setTimeout(resolve, 60)));
    await waitFor(() => frames.length >= 5, 10_000, '5 slow frames');
    controller.abort();
    await done;
    const stats = source.stats();
    expect(stats.dropped).toBeGreaterThan(10);
    const gaps = frames.slice(1).map((f, i) => f.seq - frames[i]!.seq);
    expect(Math.max(...gaps)).toBeGreaterThan(3);
    expect(stats.produced).toBeGreaterThanOrEqual(frames.length + stats.dropped);
  });

  it('on stop, kills a child that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const { source, controller } = setup({
      command: ['sh', '-c', 'trap "" TERM; printf "YUV4MPEG2 W4 H2 Cmono\\nFRAME\\n12345678"; while :; do sleep 0.05; done'],
      killGraceMs: 200,
    });
    const { frames, done } = drain(source, controller.signal);
    await waitFor(() => frames.length === 1, 5000, 'the frame');
    const pid = source.childPid!;
    const t0 = Date.now();
    controller.abort();
    await done;
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(2000);
    expect(processAlive(pid)).toBe(false);
    expect(source.childPid).toBeNull();
  });

  it('stops a well-behaved child promptly (no grace period wait)', async () => {
    const { source, controller } = setup({ command: testsrc(64, 48) });
    const { frames, done } = drain(source, controller.signal);
    await waitFor(() => frames.length >= 2, 10_000, 'frames');
    const pid = source.childPid!;
    const t0 = Date.now();
    controller.abort();
    await done;
    expect(Date.now() - t0).toBeLessThan(300);
    expect(processAlive(pid)).toBe(false);
  });

  it('reports a resolution change when the restarted command delivers another size', async () => {
    const state = join(tmpdir(), `myoscreen-res-${process.pid}-${Date.now()}`);
    const script = `
      const fs = require('fs');
      const p = process.argv[1];
      let n = 0;
      try { n = Number(fs.readFileSync(p, 'utf8')); } catch {}
      fs.writeFileSync(p, String(n + 1));
      const [w, h] = n % 2 ? [32, 24] : [64, 48];
      const frame = Buffer.concat([Buffer.from('FRAME\\n'), Buffer.alloc(w * h, 100 + n)]);
      process.stdout.write('YUV4MPEG2 W' + w + ' H' + h + ' Cmono\\n');
      let k = 0;
      const next = () => (k++ < 3 ? process.stdout.write(frame, next) : process.exit(1));
      next();`;
    const { source, controller, events } = setup({ command: [process.execPath, '-e', script, state] });
    const { frames, done } = drain(source, controller.signal);
    try {
      await waitFor(() => events.filter((e) => e.name === 'resolutionChanged').length >= 3, 10_000, 'three sizes');
      controller.abort();
      await done;
    } finally {
      await rm(state, { force: true });
    }
    const sizes = events.filter((e) => e.name === 'resolutionChanged').map((e) => e.payload);
    expect(sizes[0]).toMatchObject({ width: 64, height: 48, previous: null });
    expect(sizes[1]).toMatchObject({ width: 32, height: 24, previous: { width: 64, height: 48 } });
    expect(sizes[2]).toMatchObject({ width: 64, height: 48, previous: { width: 32, height: 24 } });
    expect(frames.some((f) => f.width === 32 && f.data.length === 32 * 24)).toBe(true);
  });

  it('refuses an empty command', () => {
    expect(() => setup({ command: [] })).toThrow(/empty command/);
  });
});
