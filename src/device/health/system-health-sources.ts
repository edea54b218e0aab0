import { readCpuFrequencies } from './cpu-frequency.js';
import type { HealthSources } from './health-readings.js';
import { PowerModeProbe } from './power-mode.js';
import { probeWithin, type Probed } from './probed.js';
import { DEFAULT_PROBE_TIMEOUT_MS, SystemProbe, type SystemInformationPort } from './system-probe.js';
import type { TegrastatsReader } from './tegrastats-reader.js';
import { readThermalZones } from './thermal-zones.js';

export interface SystemHealthSourcesOptions {
  /** The daemon's state folder: the disk check watches the file system that holds it. */
  readonly statePath: string;
  /** Root of sysfs (default `/sys`). */
  readonly sysRoot?: string | undefined;
  readonly probeTimeoutMs?: number | undefined;
  /** A started reader on a Jetson; null or absent elsewhere. */
  readonly tegrastats?: TegrastatsReader | null | undefined;
  /** Older tegrastats samples are ignored (tegrastats stalled); default 10 s. */
  readonly tegrastatsMaxAgeMs?: number | undefined;
  readonly si?: SystemInformationPort | undefined;
  readonly powerMode?: PowerModeProbe | undefined;
}

/** The production HealthSources: systeminformation, sysfs, nvpmodel and tegrastats, each bounded by a timeout. */
export function createSystemHealthSources(options: SystemHealthSourcesOptions): HealthSources {
  const timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const sysRoot = options.sysRoot ?? '/sys';
  const probe = new SystemProbe({ timeoutMs, si: options.si });
  const powerMode = options.powerMode ?? new PowerModeProbe({ timeoutMs });
  const maxAgeMs = options.tegrastatsMaxAgeMs ?? 10_000;
  const bounded = async <T>(what: string, task: () => Promise<Probed<T>>): Promise<Probed<T>> => {
    const outer = await probeWithin(what, timeoutMs, task);
    return outer.state === 'known' ? outer.value : outer;
  };
  return {
    cpuLoad: () => probe.cpuLoad(),
    memory: () => probe.memory(),
    disk: () => probe.disk(options.statePath),
    cpuTemperature: () => probe.cpuTemperature(),
    thermalZones: () => bounded('thermal zones', () => readThermalZones(sysRoot)),
    cpuFrequencies: () => bounded('CPU frequencies', () => readCpuFrequencies(sysRoot)),
    powerMode: () => bounded('power mode', () => powerMode.read()),
    tegrastats: () => options.tegrastats?.latest(maxAgeMs)?.sample ?? null,
  };
}
