import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { CaptureService } from '../capture/capture-service.js';
import { createFrameSource } from '../capture/create-source.js';
import { systemClock } from '../core/clock.js';
import type { Config } from '../core/config/index.js';
import { EventBus } from '../core/event-bus.js';
import { createWorkerEngine } from '../infer/engine/create-worker-engine.js';
import { resolvePackageDir } from '../infer/inference-service.js';
import { loadModelPackage } from '../infer/model-loader.js';
import { trustFromConfig } from '../infer/package/trust.js';
import type { Check } from './check.js';

const quiet = pino({ level: 'silent' });

/** Reads the configured source for `seconds` through the capture service: frames, rate, signal, fan found. */
export function captureCheck(config: Config, seconds = 4): Check {
  return async (signal) => {
    const bus = new EventBus();
    const source = createFrameSource(config.capture, { bus, clock: systemClock, logger: quiet });
    const capture = new CaptureService({ source, config: config.capture, bus, clock: systemClock, logger: quiet });
    await capture.start(signal);
    try {
      await new Promise((r) => setTimeout(r, seconds * 1000));
    } finally {
      await capture.stop();
    }
    const stats = capture.stats();
    const data = { source: config.capture.source, frames: stats.framesCaptured, fps: Number(stats.fps.toFixed(1)), signal: stats.signal, roi: stats.roi };
    if (stats.framesCaptured === 0) return { outcome: 'fail', detail: `no frames from ${config.capture.source} in ${seconds} s`, data };
    const expected = config.capture.fps;
    const detail = `${stats.framesCaptured} frames, ${stats.fps.toFixed(1)} fps, signal ${stats.signal}, fan ${stats.roi ? `${stats.roi.width}x${stats.roi.height}` : 'not found'}`;
    if (stats.signal !== 'ok' || stats.fps < expected * 0.6) return { outcome: 'warn', detail, data };
    return { outcome: 'pass', detail, data };
  };
}

/** Verifies and loads the configured package in a fresh engine: signature, hashes, I/O, golden vectors, latency. */
export function modelCheck(config: Config, runs = 50): Check {
  return async () => {
    const engine = createWorkerEngine(config.inference, { logger: quiet, onRestart: () => undefined, stateDir: config.state.dir });
    try {
      const dir = resolvePackageDir(config.inference.package);
      const loaded = await loadModelPackage(dir, { engine, trust: trustFromConfig(config.models) });
      const [, , h, w] = loaded.model.manifest.input.shape;
      const input = new Float32Array(h * w);
      const times: number[] = [];
      for (let i = 0; i < runs; i += 1) times.push((await engine.run(input)).runtimeMs);
      times.sort((a, b) => a - b);
      const p50 = times[Math.floor(runs / 2)] ?? 0;
      const p99 = times[Math.min(runs - 1, Math.ceil(runs * 0.99) - 1)] ?? 0;
      const m = loaded.model;
      return {
        outcome: 'pass',
        detail: `${m.id} ${m.version} on ${m.provider}, golden ${loaded.golden.cases}/${loaded.golden.cases}, session.run p50 ${p50.toFixed(2)} ms p99 ${p99.toFixed(2)} ms`,
        data: { id: m.id, version: m.version, provider: m.provider, fallbacks: m.fallbacks, goldenCases: loaded.golden.cases, p50Ms: p50, p99Ms: p99 },
      };
    } finally {
      await engine.close();
    }
  };
}

/** The state folder is writable with fsync and rename (what records and the outbox rely on), and has room. */
export function diskCheck(config: Config): Check {
  return async () => {
    const dir = resolve(config.state.dir);
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.selftest-${randomBytes(4).toString('hex')}`);
    const handle = await open(`${probe}.tmp`, 'w');
    try {
      await handle.writeFile(randomBytes(64 * 1024));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(`${probe}.tmp`, probe);
    await rm(probe);
    const fs = await statfs(dir);
    const free = fs.bavail * fs.bsize;
    const total = fs.blocks * fs.bsize;
    const ratio = total > 0 ? free / total : 0;
    const { health } = config;
    const data = { dir, freeBytes: free, totalBytes: total, freeRatio: Number(ratio.toFixed(4)) };
    const detail = `${dir} writable (fsync + rename), ${(free / 2 ** 30).toFixed(1)} GiB free (${(ratio * 100).toFixed(1)} %)`;
    if (ratio < health.diskFailedFreeRatio || free < health.diskFailedFreeBytes) return { outcome: 'fail', detail, data };
    if (ratio < health.diskDegradedFreeRatio) return { outcome: 'warn', detail, data };
    return { outcome: 'pass', detail, data };
  };
}

/** Build time of this check: a wall clock before it is certainly wrong (no RTC battery, no NTP yet). */
const EARLIEST_PLAUSIBLE = Date.UTC(2026, 0, 1);

/** The wall clock is plausible (records carry wall time) and the monotonic clock advances. */
export function clockCheck(now = (): number => Date.now()): Check {
  return async () => {
    const wall = now();
    const m0 = performance.now();
    await new Promise((r) => setTimeout(r, 50));
    const advanced = performance.now() - m0;
    const data = { wall: new Date(wall).toISOString(), monotonicAdvancedMs: Number(advanced.toFixed(1)) };
    if (!(advanced >= 45)) return { outcome: 'fail', detail: `monotonic clock advanced ${advanced.toFixed(1)} ms in a 50 ms wait`, data };
    if (wall < EARLIEST_PLAUSIBLE) {
      return { outcome: 'fail', detail: `wall clock says ${new Date(wall).toISOString()}: set the time (NTP) before exams are recorded`, data };
    }
    return { outcome: 'pass', detail: `wall clock ${new Date(wall).toISOString()}, monotonic clock advancing`, data };
  };
}
