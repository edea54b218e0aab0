import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { known, unknown, type Probed } from '../../../src/device/health/probed.js';
import type { HealthReadings, HealthSources } from '../../../src/device/health/health-readings.js';
import type { ThermalZoneReading } from '../../../src/device/health/thermal-zones.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The tegrastats lines of a fixture file (`#` lines are the comments that cite where each line comes from). */
export function tegrastatsFixture(name: string): string[] {
  return readFileSync(`${FIXTURES}tegrastats/${name}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

export function firstLine(name: string): string {
  const [line] = tegrastatsFixture(name);
  if (line === undefined) throw new Error(`fixture ${name} has no line`);
  return line;
}

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

/** Readings of a healthy, cool x86-like box with one thermal zone; tests override what they exercise. */
export function readings(overrides: Partial<HealthReadings> = {}): HealthReadings {
  return {
    at: 0,
    cpuLoad: known({ loadRatio: 0.2 }),
    memory: known({ totalBytes: 8 * GIB, usedBytes: 2 * GIB, availableBytes: 6 * GIB }),
    disk: known({ path: '/var/lib/myoscreen', mount: '/', filesystem: '/dev/nvme0n1p1', sizeBytes: 100 * GIB, usedBytes: 20 * GIB, freeBytes: 80 * GIB }),
    cpuTemperature: known({ mainC: null, maxC: null }),
    thermalZones: known([zone('cpu-thermal', 45)]),
    cpuFrequencies: known([]),
    powerMode: known(null),
    tegrastats: null,
    ...overrides,
  };
}

export function zone(type: string, tempC: number | null, trips: { type: string; tempC: number }[] = [], index = 0): ThermalZoneReading {
  return {
    zone: `thermal_zone${index}`,
    type,
    tempC,
    note: tempC === null ? 'sensor off' : null,
    trips: trips.map((trip, i) => ({ index: i, ...trip })),
  };
}

/** HealthSources whose answers a test sets between polls. */
export class FakeSources implements HealthSources {
  current: HealthReadings = readings();
  throwOnMemory = false;

  set(overrides: Partial<HealthReadings>): void {
    this.current = readings(overrides);
  }

  cpuLoad(): Promise<HealthReadings['cpuLoad']> {
    return Promise.resolve(this.current.cpuLoad);
  }
  memory(): Promise<HealthReadings['memory']> {
    if (this.throwOnMemory) return Promise.reject(new Error('meminfo vanished'));
    return Promise.resolve(this.current.memory);
  }
  disk(): Promise<HealthReadings['disk']> {
    return Promise.resolve(this.current.disk);
  }
  cpuTemperature(): Promise<HealthReadings['cpuTemperature']> {
    return Promise.resolve(this.current.cpuTemperature);
  }
  thermalZones(): Promise<HealthReadings['thermalZones']> {
    return Promise.resolve(this.current.thermalZones);
  }
  cpuFrequencies(): Promise<HealthReadings['cpuFrequencies']> {
    return Promise.resolve(this.current.cpuFrequencies);
  }
  powerMode(): Promise<HealthReadings['powerMode']> {
    return Promise.resolve(this.current.powerMode);
  }
  tegrastats(): HealthReadings['tegrastats'] {
    return this.current.tegrastats;
  }
}

export { known, unknown, type Probed };
