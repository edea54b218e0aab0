import type { CpuFrequencyReading } from './cpu-frequency.js';
import type { PowerMode } from './power-mode.js';
import type { Probed } from './probed.js';
import type { CpuLoadReading, CpuTemperatureReading, DiskReading, MemoryReading } from './system-probe.js';
import type { TegrastatsSample } from './tegrastats.js';
import type { ThermalZoneReading } from './thermal-zones.js';

/** Everything one poll read, as the judge sees it and as `snapshot()` hands it to the API and MQTT. */
export interface HealthReadings {
  /** Monotonic ms (clock.now()) of the poll. */
  readonly at: number;
  readonly cpuLoad: Probed<CpuLoadReading>;
  readonly memory: Probed<MemoryReading>;
  readonly disk: Probed<DiskReading>;
  readonly cpuTemperature: Probed<CpuTemperatureReading>;
  readonly thermalZones: Probed<readonly ThermalZoneReading[]>;
  readonly cpuFrequencies: Probed<readonly CpuFrequencyReading[]>;
  /** `known(null)`: not a Jetson (no nvpmodel). */
  readonly powerMode: Probed<PowerMode | null>;
  /** The newest fresh tegrastats line; null without tegrastats or when it went quiet. */
  readonly tegrastats: TegrastatsSample | null;
}

/**
 * Where the health monitor gets its readings. All I/O sits behind this, so tests hand in fakes; production uses
 * `createSystemHealthSources`. Methods must not throw (the monitor still guards against it).
 */
export interface HealthSources {
  cpuLoad(): Promise<Probed<CpuLoadReading>>;
  memory(): Promise<Probed<MemoryReading>>;
  disk(): Promise<Probed<DiskReading>>;
  cpuTemperature(): Promise<Probed<CpuTemperatureReading>>;
  thermalZones(): Promise<Probed<readonly ThermalZoneReading[]>>;
  cpuFrequencies(): Promise<Probed<readonly CpuFrequencyReading[]>>;
  powerMode(): Promise<Probed<PowerMode | null>>;
  tegrastats(): TegrastatsSample | null;
}
