import { MyoError } from '../../core/errors.js';

/** The parts the health judge reports on. */
export type HealthPart = 'thermal' | 'memory' | 'disk' | 'cpu';
export const HEALTH_PARTS: readonly HealthPart[] = ['thermal', 'memory', 'disk', 'cpu'];

/**
 * Where readings turn into `degraded` and `failed`. Config-like: every field has a default below, and a deployment
 * overrides only what its board needs (a fanless cart may want a lower temperature limit).
 */
export interface HealthThresholds {
  /** Any temperature at or above this is `degraded`. */
  readonly temperatureDegradedC: number;
  /** Any temperature at or above this is `failed`. */
  readonly temperatureFailedC: number;
  /** A zone within this many degrees of its `critical` trip (where the kernel powers off) is `failed`. */
  readonly criticalTripMarginC: number;
  /** MemAvailable below this share of RAM is `degraded` ... */
  readonly memoryDegradedAvailableRatio: number;
  /** ... and below this one `failed` (the OOM killer is near). */
  readonly memoryFailedAvailableRatio: number;
  /** Free space of the state folder's file system below this share is `degraded` ... */
  readonly diskDegradedFreeRatio: number;
  /** ... and below this share, or below `diskFailedFreeBytes`, `failed` (exam records may not fit). */
  readonly diskFailedFreeRatio: number;
  readonly diskFailedFreeBytes: number;
  /** CPU load above this ratio ... */
  readonly cpuLoadDegradedRatio: number;
  /** ... for longer than this is `degraded` (a short spike is normal: model load, a record export). */
  readonly cpuLoadSustainedMs: number;
  /** A CPU whose max frequency is capped for longer than this counts as thermally throttled. */
  readonly frequencyCapSustainedMs: number;
  /**
   * A tegrastats temperature at or above this counts as throttling even where no sysfs trip is readable; null: only
   * trips count.
   */
  readonly tegrastatsThrottleC: number | null;
  /**
   * Sensors that are not temperatures of anything that matters, matched case-insensitively against tegrastats names
   * and zone types (with `-thermal` stripped). Older Jetsons report a fixed `PMIC@100C` / `PMIC-Die` 100 C.
   */
  readonly ignoredSensors: readonly string[];
  /** Parts whose `failed` makes the appliance not ready. CPU load only degrades: the screen still works, slower. */
  readonly criticalParts: readonly HealthPart[];
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = Object.freeze({
  temperatureDegradedC: 80,
  temperatureFailedC: 95,
  criticalTripMarginC: 2,
  memoryDegradedAvailableRatio: 0.1,
  memoryFailedAvailableRatio: 0.03,
  diskDegradedFreeRatio: 0.15,
  diskFailedFreeRatio: 0.05,
  diskFailedFreeBytes: 200 * 1024 * 1024,
  cpuLoadDegradedRatio: 0.95,
  cpuLoadSustainedMs: 60_000,
  frequencyCapSustainedMs: 30_000,
  tegrastatsThrottleC: null,
  ignoredSensors: Object.freeze(['pmic', 'pmic-die']),
  criticalParts: Object.freeze<HealthPart[]>(['thermal', 'memory', 'disk']),
});

/** The defaults with `overrides` on top; throws MYO_ERR_CONFIG_INVALID when the result contradicts itself. */
export function healthThresholds(overrides: Partial<HealthThresholds> = {}): HealthThresholds {
  const t: HealthThresholds = { ...DEFAULT_HEALTH_THRESHOLDS, ...overrides };
  const problems: string[] = [];
  if (!(t.temperatureDegradedC < t.temperatureFailedC)) problems.push('temperatureDegradedC must be below temperatureFailedC');
  if (!(t.criticalTripMarginC >= 0)) problems.push('criticalTripMarginC must be >= 0');
  if (!(0 <= t.memoryFailedAvailableRatio && t.memoryFailedAvailableRatio < t.memoryDegradedAvailableRatio && t.memoryDegradedAvailableRatio <= 1)) {
    problems.push('need 0 <= memoryFailedAvailableRatio < memoryDegradedAvailableRatio <= 1');
  }
  if (!(0 <= t.diskFailedFreeRatio && t.diskFailedFreeRatio < t.diskDegradedFreeRatio && t.diskDegradedFreeRatio <= 1)) {
    problems.push('need 0 <= diskFailedFreeRatio < diskDegradedFreeRatio <= 1');
  }
  if (!(t.diskFailedFreeBytes >= 0)) problems.push('diskFailedFreeBytes must be >= 0');
  if (!(t.cpuLoadDegradedRatio > 0 && t.cpuLoadDegradedRatio <= 1)) problems.push('cpuLoadDegradedRatio must be in (0, 1]');
  if (!(t.cpuLoadSustainedMs >= 0) || !(t.frequencyCapSustainedMs >= 0)) problems.push('durations must be >= 0');
  const unknownParts = t.criticalParts.filter((part) => !HEALTH_PARTS.includes(part));
  if (unknownParts.length > 0) problems.push(`unknown critical parts: ${unknownParts.join(', ')}`);
  if (problems.length > 0) {
    throw new MyoError('MYO_ERR_CONFIG_INVALID', `health thresholds are inconsistent: ${problems.join('; ')}`, { problems });
  }
  return Object.freeze(t);
}

/** `cpu-thermal` -> `cpu`, `PMIC-Die` -> `pmic-die`: the name tegrastats and the ignore list use for a zone. */
export function sensorKey(name: string): string {
  return name.toLowerCase().replace(/-thermal$/, '');
}

export function isIgnoredSensor(name: string, thresholds: HealthThresholds): boolean {
  const key = sensorKey(name);
  return thresholds.ignoredSensors.some((ignored) => ignored.toLowerCase() === key);
}
