import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { EventBus } from '../../../src/core/event-bus.js';
import { HealthMonitor } from '../../../src/device/health/health-monitor.js';
import { PowerModeProbe } from '../../../src/device/health/power-mode.js';
import { createSystemHealthSources } from '../../../src/device/health/system-health-sources.js';
import type { SystemInformationPort } from '../../../src/device/health/system-probe.js';
import { MetricsRegistry } from '../../../src/telemetry/metrics.js';
import { silentLogger } from '../../helpers/silent-logger.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'myo-sources-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(file: string, content: string): Promise<void> {
  await mkdir(join(root, file, '..'), { recursive: true });
  await writeFile(join(root, file), content);
}

/** A systeminformation that lists the temp folder itself as a mount point, so the device check holds on any machine. */
function fakeSi(mount: string): SystemInformationPort {
  return {
    currentLoad: () => Promise.resolve({ currentLoad: 12 }),
    mem: () => Promise.resolve({ total: 8 * 1024 ** 3, used: 1024 ** 3, available: 7 * 1024 ** 3 }),
    fsSize: () => Promise.resolve([{ fs: '/dev/mmcblk0p1', size: 64 * 1024 ** 3, used: 60 * 1024 ** 3, available: 4 * 1024 ** 3, mount }]),
    cpuTemperature: () => Promise.resolve({ main: 83.5, max: 83.5 }),
  };
}

async function monitorOver(sources: ReturnType<typeof createSystemHealthSources>): Promise<HealthMonitor> {
  const monitor = new HealthMonitor({ sources, bus: new EventBus(), clock: new ManualClock(), logger: silentLogger(), metrics: new MetricsRegistry({ processMetrics: false }) });
  await monitor.start(new AbortController().signal);
  await monitor.stop();
  return monitor;
}

describe('createSystemHealthSources', () => {
  it('wires systeminformation, a sysfs tree and nvpmodel into the monitor', async () => {
    await write('class/thermal/thermal_zone0/type', 'cpu-thermal\n');
    await write('class/thermal/thermal_zone0/temp', '83500\n');
    await write('class/thermal/thermal_zone0/trip_point_0_temp', '80000\n');
    await write('class/thermal/thermal_zone0/trip_point_0_type', 'passive\n');
    await write('devices/system/cpu/cpu0/cpufreq/scaling_max_freq', '1510400\n');
    await write('devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq', '1510400\n');
    const sources = createSystemHealthSources({
      statePath: join(root, 'state'),
      sysRoot: root,
      si: fakeSi(root),
      powerMode: new PowerModeProbe({ find: () => Promise.resolve('/usr/sbin/nvpmodel'), run: () => Promise.resolve('NV Power Mode: 15W\n0\n') }),
    });
    const monitor = await monitorOver(sources);
    const { readings, throttling } = monitor.snapshot();
    expect(readings?.powerMode).toEqual({ state: 'known', value: { name: '15W', id: 0 } });
    expect(readings?.cpuFrequencies.state).toBe('known');
    expect(readings?.tegrastats).toBeNull();
    expect(throttling?.reason).toBe('cpu-thermal at 83.5 C is at or above its passive trip 80.0 C');
    expect(monitor.checks()).toEqual({
      thermal: { status: 'degraded', reason: 'cpu-thermal at 83.5 C (degraded at 80.0 C); throttled: cpu-thermal at 83.5 C is at or above its passive trip 80.0 C', critical: true },
      memory: { status: 'ok', reason: '87.5 % of memory available (7.0 GiB of 8.0 GiB)', critical: true },
      disk: { status: 'degraded', reason: `4.0 GiB free of 64.0 GiB (6.3 %) on ${root} for ${root}, below 15.0 %`, critical: true },
      cpu: { status: 'ok', reason: 'CPU load 12.0 %', critical: false },
    });
  });

  it('produces a full set of checks on this machine (shapes only)', async () => {
    const monitor = await monitorOver(createSystemHealthSources({ statePath: tmpdir(), sysRoot: '/sys', probeTimeoutMs: 10_000 }));
    const checks = monitor.checks();
    expect(Object.keys(checks).sort()).toEqual(['cpu', 'disk', 'memory', 'thermal']);
    for (const check of Object.values(checks)) {
      expect(['ok', 'degraded', 'failed']).toContain(check.status);
      expect(check.reason).not.toBe('not measured yet');
    }
  });
});
