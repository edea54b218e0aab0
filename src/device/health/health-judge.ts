import type { CheckStatus, HealthCheck } from '../../api/health.js';
import { formatBytes, formatCelsius, formatPercent, formatSeconds } from './format.js';
import type { HealthReadings } from './health-readings.js';
import { isIgnoredSensor, sensorKey, type HealthPart, type HealthThresholds } from './health-thresholds.js';
import {
  INITIAL_FREQUENCY_CAP_MEMORY,
  detectThrottling,
  type FrequencyCapMemory,
  type ThrottlingState,
} from './throttle-detector.js';

/** What the judge carries between polls: "sustained" needs a start time. Pass the previous judgement's memory back. */
export interface JudgeMemory {
  /** Monotonic ms since which CPU load has been above the threshold, or null. */
  readonly loadHighSince: number | null;
  readonly caps: FrequencyCapMemory;
}

export const INITIAL_JUDGE_MEMORY: JudgeMemory = Object.freeze({ loadHighSince: null, caps: INITIAL_FREQUENCY_CAP_MEMORY });

export interface TemperatureSighting {
  /** `cpu-thermal` (a zone type), `tegrastats tj`, `systeminformation cpu`. */
  readonly source: string;
  readonly tempC: number;
  /** The lowest `critical` trip of the zone this reading belongs to, when known. */
  readonly criticalTripC: number | null;
}

export interface HealthJudgement {
  readonly checks: Readonly<Record<HealthPart, HealthCheck>>;
  readonly throttling: ThrottlingState;
  /** The reading that decided the thermal status (the worst one), or null without any temperature. */
  readonly hottest: TemperatureSighting | null;
  readonly memory: JudgeMemory;
}

/**
 * Turns one poll's readings into a check per part. Pure: time comes from `readings.at`, history from `memory`. A
 * reading that could not be taken makes its part `degraded` with the probe's reason (the technician should know a
 * sensor is broken), never `failed`: only a measured value can make the appliance not ready.
 */
export function judgeHealth(readings: HealthReadings, memory: JudgeMemory, thresholds: HealthThresholds): HealthJudgement {
  const { throttling, memory: caps } = detectThrottling(readings, memory.caps, thresholds);
  const thermal = judgeThermal(readings, throttling, thresholds);
  const cpu = judgeCpu(readings, memory.loadHighSince, thresholds);
  const critical = (part: HealthPart): boolean => thresholds.criticalParts.includes(part);
  const check = (part: HealthPart, status: CheckStatus, reason: string): HealthCheck => ({ status, reason, critical: critical(part) });
  return {
    checks: {
      thermal: check('thermal', thermal.status, thermal.reason),
      memory: check('memory', ...judgeMemory(readings, thresholds)),
      disk: check('disk', ...judgeDisk(readings, thresholds)),
      cpu: check('cpu', cpu.status, cpu.reason),
    },
    throttling,
    hottest: thermal.hottest,
    memory: { loadHighSince: cpu.loadHighSince, caps },
  };
}

/** Every temperature this poll saw, from sysfs zones, systeminformation and tegrastats, without ignored sensors. */
export function temperatureSightings(readings: HealthReadings, thresholds: HealthThresholds): TemperatureSighting[] {
  const zones = readings.thermalZones.state === 'known' ? readings.thermalZones.value : [];
  const criticalOf = (key: string): number | null => {
    const trips = zones
      .filter((zone) => sensorKey(zone.type) === key)
      .flatMap((zone) => zone.trips.filter((trip) => trip.type === 'critical').map((trip) => trip.tempC));
    return trips.length > 0 ? Math.min(...trips) : null;
  };
  const sightings: TemperatureSighting[] = [];
  for (const zone of zones) {
    if (zone.tempC === null || isIgnoredSensor(zone.type, thresholds)) continue;
    sightings.push({ source: zone.type, tempC: zone.tempC, criticalTripC: criticalOf(sensorKey(zone.type)) });
  }
  if (readings.cpuTemperature.state === 'known' && readings.cpuTemperature.value.mainC !== null) {
    sightings.push({ source: 'systeminformation cpu', tempC: readings.cpuTemperature.value.mainC, criticalTripC: null });
  }
  for (const [name, celsius] of Object.entries(readings.tegrastats?.temps ?? {})) {
    if (isIgnoredSensor(name, thresholds)) continue;
    sightings.push({ source: `tegrastats ${name}`, tempC: celsius, criticalTripC: criticalOf(name) });
  }
  return sightings;
}

function judgeThermal(
  readings: HealthReadings,
  throttling: ThrottlingState,
  t: HealthThresholds,
): { status: CheckStatus; reason: string; hottest: TemperatureSighting | null } {
  const sightings = temperatureSightings(readings, t);
  const severity = (s: TemperatureSighting): number => {
    if (s.tempC >= t.temperatureFailedC || (s.criticalTripC !== null && s.tempC >= s.criticalTripC - t.criticalTripMarginC)) return 2;
    return s.tempC >= t.temperatureDegradedC ? 1 : 0;
  };
  let worst: TemperatureSighting | null = null;
  for (const sighting of sightings) {
    if (!worst || severity(sighting) > severity(worst) || (severity(sighting) === severity(worst) && sighting.tempC > worst.tempC)) {
      worst = sighting;
    }
  }
  const throttled = throttling.throttled ? `; throttled: ${throttling.reason}` : '';
  if (!worst) {
    const failures = [readings.thermalZones, readings.cpuTemperature].flatMap((p) => (p.state === 'unknown' ? [p.reason] : []));
    if (failures.length > 0) return { status: 'degraded', reason: `temperature unknown: ${failures.join('; ')}${throttled}`, hottest: null };
    return { status: throttling.throttled ? 'degraded' : 'ok', reason: `no temperature sensor found${throttled}`, hottest: null };
  }
  const seen = `${worst.source} at ${formatCelsius(worst.tempC)}`;
  switch (severity(worst)) {
    case 2: {
      const nearTrip = worst.criticalTripC !== null && worst.tempC >= worst.criticalTripC - t.criticalTripMarginC;
      const why = nearTrip
        ? `within ${t.criticalTripMarginC} C of its critical trip ${formatCelsius(worst.criticalTripC ?? 0)}`
        : `failed at ${formatCelsius(t.temperatureFailedC)}`;
      return { status: 'failed', reason: `${seen} (${why})${throttled}`, hottest: worst };
    }
    case 1:
      return { status: 'degraded', reason: `${seen} (degraded at ${formatCelsius(t.temperatureDegradedC)})${throttled}`, hottest: worst };
    default:
      return { status: throttling.throttled ? 'degraded' : 'ok', reason: `hottest ${seen}${throttled}`, hottest: worst };
  }
}

function judgeMemory(readings: HealthReadings, t: HealthThresholds): [CheckStatus, string] {
  if (readings.memory.state === 'unknown') return ['degraded', `memory unknown: ${readings.memory.reason}`];
  const { availableBytes, totalBytes } = readings.memory.value;
  const ratio = availableBytes / totalBytes;
  const seen = `${formatPercent(ratio)} of memory available (${formatBytes(availableBytes)} of ${formatBytes(totalBytes)})`;
  if (ratio < t.memoryFailedAvailableRatio) return ['failed', `${seen}, below ${formatPercent(t.memoryFailedAvailableRatio)}`];
  if (ratio < t.memoryDegradedAvailableRatio) return ['degraded', `${seen}, below ${formatPercent(t.memoryDegradedAvailableRatio)}`];
  return ['ok', seen];
}

function judgeDisk(readings: HealthReadings, t: HealthThresholds): [CheckStatus, string] {
  if (readings.disk.state === 'unknown') return ['degraded', `disk unknown: ${readings.disk.reason}`];
  const { freeBytes, sizeBytes, mount, path } = readings.disk.value;
  const ratio = freeBytes / sizeBytes;
  const seen = `${formatBytes(freeBytes)} free of ${formatBytes(sizeBytes)} (${formatPercent(ratio)}) on ${mount ?? 'its file system'} for ${path}`;
  if (freeBytes < t.diskFailedFreeBytes) return ['failed', `${seen}, below ${formatBytes(t.diskFailedFreeBytes)}`];
  if (ratio < t.diskFailedFreeRatio) return ['failed', `${seen}, below ${formatPercent(t.diskFailedFreeRatio)}`];
  if (ratio < t.diskDegradedFreeRatio) return ['degraded', `${seen}, below ${formatPercent(t.diskDegradedFreeRatio)}`];
  return ['ok', seen];
}

function judgeCpu(
  readings: HealthReadings,
  loadHighSince: number | null,
  t: HealthThresholds,
): { status: CheckStatus; reason: string; loadHighSince: number | null } {
  // A probe that times out under heavy load must not restart the "sustained" clock: keep it as it was.
  if (readings.cpuLoad.state === 'unknown') return { status: 'degraded', reason: `CPU load unknown: ${readings.cpuLoad.reason}`, loadHighSince };
  const ratio = readings.cpuLoad.value.loadRatio;
  if (ratio <= t.cpuLoadDegradedRatio) return { status: 'ok', reason: `CPU load ${formatPercent(ratio)}`, loadHighSince: null };
  const since = loadHighSince ?? readings.at;
  const lasted = readings.at - since;
  if (lasted > t.cpuLoadSustainedMs) {
    return {
      status: 'degraded',
      reason: `CPU load ${formatPercent(ratio)}, above ${formatPercent(t.cpuLoadDegradedRatio)} for ${formatSeconds(lasted)}`,
      loadHighSince: since,
    };
  }
  return { status: 'ok', reason: `CPU load ${formatPercent(ratio)} (high for ${formatSeconds(lasted)})`, loadHighSince: since };
}
