/** Device health: probes (systeminformation, sysfs, tegrastats, nvpmodel), the pure judge, and the polling monitor. */
export { HealthMonitor, DEFAULT_HEALTH_INTERVAL_MS, type HealthMonitorDeps, type HealthMonitorOptions, type HealthSnapshot } from './health-monitor.js';
export type { HealthReadings, HealthSources } from './health-readings.js';
export { createSystemHealthSources, type SystemHealthSourcesOptions } from './system-health-sources.js';
export { judgeHealth, temperatureSightings, INITIAL_JUDGE_MEMORY, type HealthJudgement, type JudgeMemory, type TemperatureSighting } from './health-judge.js';
export { detectThrottling, INITIAL_FREQUENCY_CAP_MEMORY, type FrequencyCapMemory, type ThrottlingState } from './throttle-detector.js';
export {
  DEFAULT_HEALTH_THRESHOLDS,
  HEALTH_PARTS,
  healthThresholds,
  type HealthPart,
  type HealthThresholds,
} from './health-thresholds.js';
export { registerHealthGauges, temperaturesByZone, type HealthMetricsView } from './health-metrics.js';
export {
  SystemProbe,
  systemInformation,
  mountContaining,
  type CpuLoadReading,
  type CpuTemperatureReading,
  type DiskReading,
  type MemoryReading,
  type SystemInformationPort,
  type SystemProbeOptions,
} from './system-probe.js';
export {
  parseTegrastatsLine,
  type TegrastatsCpuCore,
  type TegrastatsCpuEntry,
  type TegrastatsEngine,
  type TegrastatsRail,
  type TegrastatsSample,
} from './tegrastats.js';
export { TegrastatsReader, type TegrastatsReaderDeps, type TegrastatsReaderOptions, type TimedTegrastatsSample } from './tegrastats-reader.js';
export { readThermalZones, type ThermalTrip, type ThermalZoneReading } from './thermal-zones.js';
export { readCpuFrequencies, type CpuFrequencyReading } from './cpu-frequency.js';
export { parseNvpmodelQuery, PowerModeProbe, type PowerMode, type PowerModeProbeOptions } from './power-mode.js';
export { known, unknown, valueOf, type Probed } from './probed.js';
