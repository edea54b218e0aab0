import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { isMyoError } from '../../../src/core/errors.js';
import { EventBus } from '../../../src/core/event-bus.js';
import type { BusEvents } from '../../../src/core/events.js';
import { HealthMonitor } from '../../../src/device/health/health-monitor.js';
import { MetricsRegistry } from '../../../src/telemetry/metrics.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { FakeSources, GIB, known, unknown, zone } from './helpers.js';

interface Rig {
  monitor: HealthMonitor;
  sources: FakeSources;
  clock: ManualClock;
  metrics: MetricsRegistry;
  health: BusEvents['healthChanged'][];
  throttling: BusEvents['throttlingChanged'][];
}

function rig(intervalMs = 60_000): Rig {
  const bus = new EventBus();
  const clock = new ManualClock(1000);
  const sources = new FakeSources();
  const metrics = new MetricsRegistry({ processMetrics: false });
  const health: BusEvents['healthChanged'][] = [];
  const throttling: BusEvents['throttlingChanged'][] = [];
  bus.on('healthChanged', (event) => health.push(event));
  bus.on('throttlingChanged', (event) => throttling.push(event));
  const monitor = new HealthMonitor({ sources, bus, clock, logger: silentLogger(), metrics }, { intervalMs });
  return { monitor, sources, clock, metrics, health, throttling };
}

const lowMemory = known({ totalBytes: 8 * GIB, usedBytes: 8 * GIB - 100 * 1024 * 1024, availableBytes: 100 * 1024 * 1024 });

let running: HealthMonitor | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
  vi.useRealTimers();
});

async function started(r: Rig): Promise<Rig> {
  running = r.monitor;
  await r.monitor.start(new AbortController().signal);
  return r;
}

describe('HealthMonitor', () => {
  it('says "not measured yet" before its first poll and has readings right after start', async () => {
    const r = rig();
    expect(r.monitor.checks().memory).toEqual({ status: 'degraded', reason: 'not measured yet', critical: true });
    expect(r.monitor.snapshot().readings).toBeNull();
    await started(r);
    expect(r.monitor.checks().memory?.status).toBe('ok');
    expect(r.monitor.snapshot().at).toBe(1000);
    expect(r.monitor.snapshot().readings?.memory).toEqual(r.sources.current.memory);
    // All ok at start is the expected state: nothing to announce.
    expect(r.health).toEqual([]);
    expect(r.throttling).toEqual([]);
  });

  it('announces a part that is already bad at the first poll, with previous null', async () => {
    const r = rig();
    r.sources.set({ memory: lowMemory });
    await started(r);
    expect(r.health).toEqual([
      { part: 'memory', status: 'failed', previous: null, reason: '1.2 % of memory available (100 MiB of 8.0 GiB), below 3.0 %', at: 1000 },
    ]);
  });

  it('emits on status changes only, and again on recovery', async () => {
    const r = await started(rig());
    r.sources.set({ thermalZones: known([zone('cpu-thermal', 82)]) });
    r.clock.advance(5000);
    await r.monitor.poll();
    // Hotter but still degraded: a new reason, not a new status.
    r.sources.set({ thermalZones: known([zone('cpu-thermal', 88)]) });
    r.clock.advance(5000);
    await r.monitor.poll();
    r.sources.set({ thermalZones: known([zone('cpu-thermal', 96)]) });
    r.clock.advance(5000);
    await r.monitor.poll();
    r.sources.set({ thermalZones: known([zone('cpu-thermal', 50)]) });
    r.clock.advance(5000);
    await r.monitor.poll();
    await r.monitor.poll();
    expect(r.health.map((e) => `${e.part}:${String(e.previous)}->${e.status}@${e.at}`)).toEqual([
      'thermal:ok->degraded@6000',
      'thermal:degraded->failed@16000',
      'thermal:failed->ok@21000',
    ]);
    expect(r.health[1]?.reason).toBe('cpu-thermal at 96.0 C (failed at 95.0 C)');
    expect(r.monitor.checks().thermal).toEqual({ status: 'ok', reason: 'hottest cpu-thermal at 50.0 C', critical: true });
  });

  it('emits throttlingChanged when throttling starts and ends', async () => {
    const r = await started(rig());
    const passive = [{ type: 'passive', tempC: 70 }];
    r.sources.set({ thermalZones: known([zone('cpu-thermal', 71, passive)]) });
    await r.monitor.poll();
    await r.monitor.poll();
    r.sources.set({ thermalZones: known([zone('cpu-thermal', 60, passive)]) });
    await r.monitor.poll();
    expect(r.throttling).toEqual([
      { throttled: true, reason: 'cpu-thermal at 71.0 C is at or above its passive trip 70.0 C', at: 1000 },
      { throttled: false, reason: 'no throttling seen', at: 1000 },
    ]);
    expect(r.health.map((e) => e.status)).toEqual(['degraded', 'ok']);
  });

  it('treats a source that throws as an unknown reading and keeps polling', async () => {
    const r = await started(rig());
    r.sources.throwOnMemory = true;
    await r.monitor.poll();
    expect(r.monitor.checks().memory).toEqual({ status: 'degraded', reason: 'memory unknown: memory source threw: meminfo vanished', critical: true });
    r.sources.throwOnMemory = false;
    await r.monitor.poll();
    expect(r.monitor.checks().memory?.status).toBe('ok');
    expect(r.health.map((e) => `${e.part}:${e.status}`)).toEqual(['memory:degraded', 'memory:ok']);
  });

  it('exports gauges from the latest poll, NaN where a reading is unknown', async () => {
    const r = rig();
    r.sources.set({
      thermalZones: known([zone('cpu-thermal', 47.5, [], 0), zone('gpu-thermal', null, [], 1), zone('tj-thermal', 49, [], 2)]),
      cpuLoad: known({ loadRatio: 0.25 }),
      disk: unknown('disk size gave no answer within 3000 ms'),
    });
    await started(r);
    const text = await r.metrics.render();
    expect(text).toContain('myoscreen_temperature_celsius{zone="cpu-thermal"} 47.5');
    expect(text).toContain('myoscreen_temperature_celsius{zone="tj-thermal"} 49');
    expect(text).not.toContain('zone="gpu-thermal"');
    expect(text).toContain(`myoscreen_memory_available_bytes ${6 * GIB}`);
    expect(text).toContain('myoscreen_disk_free_bytes Nan');
    expect(text).toContain('myoscreen_cpu_load_ratio 0.25');
    expect(text).toContain('myoscreen_thermal_throttled 0');
    // A zone that goes away does not linger with its last value.
    r.sources.set({ thermalZones: known([zone('cpu-thermal', 48)]) });
    await r.monitor.poll();
    const after = await r.metrics.render();
    expect(after).not.toContain('zone="tj-thermal"');
    expect(after).toContain('myoscreen_temperature_celsius{zone="cpu-thermal"} 48');
  });

  it('polls every intervalMs after start and stops polling on stop', async () => {
    vi.useFakeTimers();
    const r = rig(5000);
    let polls = 0;
    const read = r.sources.memory.bind(r.sources);
    r.sources.memory = () => {
      polls += 1;
      return read();
    };
    await started(r);
    expect(polls).toBe(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(polls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(polls).toBe(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(polls).toBe(4);
    await r.monitor.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(polls).toBe(4);
  });

  it('refuses a second start', async () => {
    const r = await started(rig());
    const second = await r.monitor.start(new AbortController().signal).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isMyoError(second, 'MYO_ERR_LIFECYCLE')).toBe(true);
  });
});
