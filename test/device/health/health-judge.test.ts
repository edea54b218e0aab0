import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import { INITIAL_JUDGE_MEMORY, judgeHealth, type HealthJudgement, type JudgeMemory } from '../../../src/device/health/health-judge.js';
import type { HealthReadings } from '../../../src/device/health/health-readings.js';
import { DEFAULT_HEALTH_THRESHOLDS, healthThresholds, type HealthThresholds } from '../../../src/device/health/health-thresholds.js';
import { parseTegrastatsLine, type TegrastatsSample } from '../../../src/device/health/tegrastats.js';
import { GIB, MIB, known, readings, unknown, zone } from './helpers.js';

const T = DEFAULT_HEALTH_THRESHOLDS;

function judge(overrides: Partial<HealthReadings>, memory: JudgeMemory = INITIAL_JUDGE_MEMORY, thresholds: HealthThresholds = T): HealthJudgement {
  return judgeHealth(readings(overrides), memory, thresholds);
}

function tegrastats(temps: string): TegrastatsSample {
  const sample = parseTegrastatsLine(`RAM 2203/7620MB CPU [2%@729] ${temps}`);
  if (!sample) throw new Error('bad test line');
  return sample;
}

describe('thermal thresholds', () => {
  it.each([
    [79.9, 'ok'],
    [80, 'degraded'],
    [94.9, 'degraded'],
    [95, 'failed'],
  ])('%f C is %s', (celsius, status) => {
    const { checks } = judge({ thermalZones: known([zone('cpu-thermal', celsius)]) });
    expect(checks.thermal.status).toBe(status);
    expect(checks.thermal.reason).toContain(`cpu-thermal at ${celsius.toFixed(1)} C`);
  });

  it('fails within 2 C of a critical trip, not before', () => {
    const trips = [{ type: 'critical', tempC: 90 }];
    const below = judge({ thermalZones: known([zone('soc0-thermal', 87.9, trips)]) }, INITIAL_JUDGE_MEMORY, healthThresholds({ temperatureFailedC: 99 }));
    expect(below.checks.thermal.status).toBe('degraded');
    const at = judge({ thermalZones: known([zone('soc0-thermal', 88, trips)]) }, INITIAL_JUDGE_MEMORY, healthThresholds({ temperatureFailedC: 99 }));
    expect(at.checks.thermal.status).toBe('failed');
    expect(at.checks.thermal.reason).toBe('soc0-thermal at 88.0 C (within 2 C of its critical trip 90.0 C)');
  });

  it('reports the worst zone, not the first', () => {
    const { checks, hottest } = judge({ thermalZones: known([zone('cpu-thermal', 50, [], 0), zone('gpu-thermal', 83, [], 1), zone('tj-thermal', 60, [], 2)]) });
    expect(checks.thermal.status).toBe('degraded');
    expect(hottest?.source).toBe('gpu-thermal');
  });

  it('ignores the PMIC placeholder that always reads 100 C', () => {
    const { checks } = judge({ thermalZones: known([zone('PMIC-Die', 100, [], 0), zone('cpu-thermal', 40, [], 1)]) });
    expect(checks.thermal.status).toBe('ok');
    expect(checks.thermal.reason).toBe('hottest cpu-thermal at 40.0 C');
  });

  it('judges tegrastats temperatures, against the critical trip of the matching zone', () => {
    const sample = tegrastats('cpu@50C tj@97.5C PMIC@100C');
    const { checks } = judge({ thermalZones: known([zone('tj-thermal', null, [{ type: 'critical', tempC: 99 }])]), tegrastats: sample }, INITIAL_JUDGE_MEMORY, healthThresholds({ temperatureFailedC: 120, temperatureDegradedC: 110 }));
    expect(checks.thermal.status).toBe('failed');
    expect(checks.thermal.reason).toBe('tegrastats tj at 97.5 C (within 2 C of its critical trip 99.0 C)');
  });

  it('uses systeminformation where sysfs has no zones', () => {
    const { checks } = judge({ thermalZones: known([]), cpuTemperature: known({ mainC: 81, maxC: 81 }) });
    expect(checks.thermal).toEqual({ status: 'degraded', reason: 'systeminformation cpu at 81.0 C (degraded at 80.0 C)', critical: true });
  });

  it('is ok without any sensor, but degraded when the sensors could not be read', () => {
    expect(judge({ thermalZones: known([]) }).checks.thermal).toEqual({ status: 'ok', reason: 'no temperature sensor found', critical: true });
    const broken = judge({ thermalZones: unknown('cannot list /sys/class/thermal: EACCES'), cpuTemperature: unknown('CPU temperature gave no answer within 3000 ms') });
    expect(broken.checks.thermal.status).toBe('degraded');
    expect(broken.checks.thermal.reason).toBe('temperature unknown: cannot list /sys/class/thermal: EACCES; CPU temperature gave no answer within 3000 ms');
  });
});

describe('memory thresholds', () => {
  const total = 1000 * MIB;
  const at = (availableMib: number): HealthJudgement => judge({ memory: known({ totalBytes: total, usedBytes: total - availableMib * MIB, availableBytes: availableMib * MIB }) });

  it.each([
    [100, 'ok'],
    [99, 'degraded'],
    [30, 'degraded'],
    [29, 'failed'],
  ])('%i MiB of 1000 available is %s', (mib, status) => {
    expect(at(mib).checks.memory.status).toBe(status);
  });

  it('says how much is left', () => {
    expect(at(29).checks.memory).toEqual({ status: 'failed', reason: '2.9 % of memory available (29 MiB of 1000 MiB), below 3.0 %', critical: true });
  });

  it('is degraded, never failed, when memory cannot be read', () => {
    expect(judge({ memory: unknown('memory failed: ENOENT') }).checks.memory).toEqual({ status: 'degraded', reason: 'memory unknown: memory failed: ENOENT', critical: true });
  });
});

describe('disk thresholds', () => {
  const disk = (sizeBytes: number, freeBytes: number): HealthJudgement =>
    judge({ disk: known({ path: '/var/lib/myoscreen', mount: '/var', filesystem: '/dev/mmcblk0p1', sizeBytes, usedBytes: sizeBytes - freeBytes, freeBytes }) });

  it.each([
    [15 * GIB, 'ok'],
    [15 * GIB - 1, 'degraded'],
    [5 * GIB, 'degraded'],
    [5 * GIB - 1, 'failed'],
  ])('%i bytes free of 100 GiB is %s', (free, status) => {
    expect(disk(100 * GIB, free).checks.disk.status).toBe(status);
  });

  it('fails below 200 MiB free even where that is a large share of a small disk', () => {
    expect(disk(1 * GIB, 200 * MIB).checks.disk.status).toBe('ok');
    const low = disk(1 * GIB, 200 * MIB - 1);
    expect(low.checks.disk.status).toBe('failed');
    expect(low.checks.disk.reason).toBe('200 MiB free of 1.0 GiB (19.5 %) on /var for /var/lib/myoscreen, below 200 MiB');
  });

  it('is degraded when the disk cannot be read', () => {
    expect(judge({ disk: unknown('disk size gave no answer within 3000 ms') }).checks.disk.status).toBe('degraded');
  });
});

describe('cpu load', () => {
  const load = (loadRatio: number, at: number, memory: JudgeMemory): HealthJudgement => judge({ at, cpuLoad: known({ loadRatio }) }, memory);

  it('is ok at exactly 95 % however long it lasts', () => {
    const first = load(0.95, 0, INITIAL_JUDGE_MEMORY);
    const later = load(0.95, 600_000, first.memory);
    expect(later.checks.cpu.status).toBe('ok');
    expect(later.memory.loadHighSince).toBeNull();
  });

  it('degrades only after more than 60 s above 95 %, and recovers at once', () => {
    const t0 = load(0.96, 1000, INITIAL_JUDGE_MEMORY);
    expect(t0.checks.cpu.status).toBe('ok');
    const at60 = load(0.99, 61_000, t0.memory);
    expect(at60.checks.cpu.status).toBe('ok');
    const past60 = load(0.99, 61_001, at60.memory);
    expect(past60.checks.cpu).toEqual({ status: 'degraded', reason: 'CPU load 99.0 %, above 95.0 % for 60 s', critical: false });
    const calm = load(0.5, 62_000, past60.memory);
    expect(calm.checks.cpu.status).toBe('ok');
    expect(calm.memory.loadHighSince).toBeNull();
  });

  it('keeps the sustained clock through a reading that timed out', () => {
    const t0 = load(0.99, 0, INITIAL_JUDGE_MEMORY);
    const lost = judge({ at: 30_000, cpuLoad: unknown('CPU load gave no answer within 3000 ms') }, t0.memory);
    expect(lost.checks.cpu.status).toBe('degraded');
    expect(lost.memory.loadHighSince).toBe(0);
    expect(load(0.99, 60_001, lost.memory).checks.cpu.status).toBe('degraded');
  });
});

describe('throttling', () => {
  it('is seen at a passive trip, not below it', () => {
    const trips = [{ type: 'passive', tempC: 85 }];
    expect(judge({ thermalZones: known([zone('cpu-thermal', 84.9, trips)]) }).throttling.throttled).toBe(false);
    const hot = judge({ thermalZones: known([zone('cpu-thermal', 85, trips)]) });
    expect(hot.throttling).toEqual({
      throttled: true,
      reason: 'cpu-thermal at 85.0 C is at or above its passive trip 85.0 C',
      evidence: ['cpu-thermal at 85.0 C is at or above its passive trip 85.0 C'],
    });
    // Throttled is degraded even below the temperature thresholds: the screen runs slower.
    expect(hot.checks.thermal.status).toBe('degraded');
    expect(hot.checks.thermal.reason).toContain('throttled: cpu-thermal at 85.0 C');
  });

  const cpus = (...scalingMax: number[]): HealthReadings['cpuFrequencies'] =>
    known(scalingMax.map((khz, i) => ({ cpu: `cpu${i}`, scalingMaxKhz: khz, cpuinfoMaxKhz: 1_510_400, scalingCurKhz: null })));

  it('is seen when a CPU stays capped below cpuinfo_max for more than 30 s', () => {
    let memory = INITIAL_JUDGE_MEMORY;
    const step = (at: number, ...khz: number[]): HealthJudgement => {
      const j = judge({ at, cpuFrequencies: cpus(...khz) }, memory);
      memory = j.memory;
      return j;
    };
    expect(step(0, 1_510_400, 1_190_400).throttling.throttled).toBe(false);
    expect(step(30_000, 1_510_400, 1_190_400).throttling.throttled).toBe(false);
    const capped = step(30_001, 1_510_400, 1_190_400);
    expect(capped.throttling.reason).toBe('cpu1 max frequency capped at 1190 MHz below 1510 MHz for 30 s');
    expect(step(31_000, 1_510_400, 1_510_400).throttling.throttled).toBe(false);
    // A new cap starts a new clock.
    expect(step(32_000, 1_190_400, 1_510_400).throttling.throttled).toBe(false);
  });

  it('does not call a power-mode ceiling throttling, only a drop below it', () => {
    const mode = known({ name: '15W', id: 0 });
    let memory = INITIAL_JUDGE_MEMORY;
    const step = (at: number, khz: number, powerMode: HealthReadings['powerMode'] = mode): HealthJudgement => {
      const j = judge({ at, powerMode, cpuFrequencies: cpus(khz, khz) }, memory);
      memory = j.memory;
      return j;
    };
    expect(step(0, 1_190_400).throttling.throttled).toBe(false);
    expect(step(120_000, 1_190_400).throttling.throttled).toBe(false);
    expect(step(121_000, 729_600).throttling.throttled).toBe(false);
    const throttled = step(151_001, 729_600);
    expect(throttled.throttling.reason).toBe('cpu0, cpu1 max frequency capped at 730 MHz below 1190 MHz for 30 s (power mode 15W)');
    // nvpmodel or cpufreq unreadable for a poll: the last verdict stands instead of flapping.
    expect(step(152_000, 729_600, unknown('nvpmodel -q failed: timeout')).throttling.throttled).toBe(true);
    // A new power mode sets a new ceiling.
    expect(step(153_000, 729_600, known({ name: '7W', id: 1 })).throttling.throttled).toBe(false);
    expect(step(400_000, 729_600, known({ name: '7W', id: 1 })).throttling.throttled).toBe(false);
  });

  it('reads tegrastats temperatures against the passive trip where sysfs cannot read the zone', () => {
    const zones = known([zone('gpu-thermal', null, [{ type: 'passive', tempC: 80 }])]);
    const cool = judge({ thermalZones: zones, tegrastats: tegrastats('gpu@79.9C') });
    expect(cool.throttling.throttled).toBe(false);
    const hot = judge({ thermalZones: zones, tegrastats: tegrastats('gpu@80C') });
    expect(hot.throttling.reason).toBe('tegrastats gpu at 80.0 C is at or above the passive trip 80.0 C of gpu-thermal');
  });

  it('can use a fixed tegrastats throttle limit where no trips are readable', () => {
    const sample = tegrastats('cpu@88C tj@90C');
    expect(judge({ thermalZones: known([]), tegrastats: sample }).throttling.throttled).toBe(false);
    const limited = judge({ thermalZones: known([]), tegrastats: sample }, INITIAL_JUDGE_MEMORY, healthThresholds({ tegrastatsThrottleC: 90 }));
    expect(limited.throttling.evidence).toEqual(['tegrastats tj at 90.0 C is at or above the throttle limit 90.0 C']);
  });
});

describe('checks', () => {
  it('marks thermal, memory and disk critical and cpu not, by default', () => {
    const { checks } = judge({});
    expect(Object.fromEntries(Object.entries(checks).map(([part, check]) => [part, check.critical]))).toEqual({ thermal: true, memory: true, disk: true, cpu: false });
    expect(Object.values(checks).map((check) => check.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('rejects thresholds that contradict each other', () => {
    let caught: unknown;
    try {
      healthThresholds({ memoryDegradedAvailableRatio: 0.02 });
    } catch (error) {
      caught = error;
    }
    expect(isMyoError(caught, 'MYO_ERR_CONFIG_INVALID')).toBe(true);
    expect(() => healthThresholds({ temperatureFailedC: 70 })).toThrow(/temperatureDegradedC must be below temperatureFailedC/);
  });
});
