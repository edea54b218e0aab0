import { formatCelsius, formatMhz, formatSeconds } from './format.js';
import type { HealthReadings } from './health-readings.js';
import { isIgnoredSensor, sensorKey, type HealthThresholds } from './health-thresholds.js';
import type { ThermalZoneReading } from './thermal-zones.js';

export interface ThrottlingState {
  readonly throttled: boolean;
  /** What was seen, joined; `no throttling seen` when nothing was. */
  readonly reason: string;
  readonly evidence: readonly string[];
}

/** What throttling detection carries from one poll to the next (the judge stays a pure function). */
export interface FrequencyCapMemory {
  /** Monotonic ms since which some CPU has been capped, or null. */
  readonly cappedSince: number | null;
  /**
   * The highest `scaling_max_freq` seen per CPU under `ceilingMode`. A Jetson power mode (nvpmodel) lowers
   * scaling_max below cpuinfo_max on purpose; only a drop below what the mode itself allows is throttling.
   */
  readonly ceilingKhz: Readonly<Record<string, number>>;
  readonly ceilingMode: string | null;
  /** The cap evidence of the last poll that could judge caps, reused while cpufreq or nvpmodel cannot be read. */
  readonly lastCapEvidence: string | null;
}

export const INITIAL_FREQUENCY_CAP_MEMORY: FrequencyCapMemory = Object.freeze({
  cappedSince: null,
  ceilingKhz: Object.freeze({}),
  ceilingMode: null,
  lastCapEvidence: null,
});

/**
 * Thermal throttling, from three independent signs: a zone at or above a `passive` trip (the kernel's own cue to
 * throttle), a CPU max frequency held below its reference for longer than `frequencyCapSustainedMs`, and tegrastats
 * temperatures against the passive trip of the matching zone (`cpu` -> `cpu-thermal`) where sysfs could not read it.
 */
export function detectThrottling(
  readings: HealthReadings,
  memory: FrequencyCapMemory,
  thresholds: HealthThresholds,
): { throttling: ThrottlingState; memory: FrequencyCapMemory } {
  const zones = readings.thermalZones.state === 'known' ? readings.thermalZones.value : [];
  const evidence = [...zoneEvidence(zones, thresholds), ...tegrastatsEvidence(readings, zones, thresholds)];
  const caps = capEvidence(readings, memory, thresholds);
  if (caps.evidence) evidence.push(caps.evidence);
  return {
    throttling: {
      throttled: evidence.length > 0,
      reason: evidence.length > 0 ? evidence.join('; ') : 'no throttling seen',
      evidence,
    },
    memory: caps.memory,
  };
}

function lowestTrip(zone: ThermalZoneReading, type: string): number | null {
  const temps = zone.trips.filter((trip) => trip.type === type).map((trip) => trip.tempC);
  return temps.length > 0 ? Math.min(...temps) : null;
}

function zoneEvidence(zones: readonly ThermalZoneReading[], thresholds: HealthThresholds): string[] {
  const out: string[] = [];
  for (const zone of zones) {
    if (zone.tempC === null || isIgnoredSensor(zone.type, thresholds)) continue;
    const passive = lowestTrip(zone, 'passive');
    if (passive !== null && zone.tempC >= passive) {
      out.push(`${zone.type} at ${formatCelsius(zone.tempC)} is at or above its passive trip ${formatCelsius(passive)}`);
    }
  }
  return out;
}

function tegrastatsEvidence(readings: HealthReadings, zones: readonly ThermalZoneReading[], thresholds: HealthThresholds): string[] {
  const sample = readings.tegrastats;
  if (!sample) return [];
  const out: string[] = [];
  for (const [name, celsius] of Object.entries(sample.temps)) {
    if (isIgnoredSensor(name, thresholds)) continue;
    const zone = zones.find((candidate) => sensorKey(candidate.type) === name);
    const passive = zone ? lowestTrip(zone, 'passive') : null;
    // Where sysfs read the zone itself, zoneEvidence already judged it; tegrastats only fills the gaps.
    if (zone && passive !== null && zone.tempC === null && celsius >= passive) {
      out.push(`tegrastats ${name} at ${formatCelsius(celsius)} is at or above the passive trip ${formatCelsius(passive)} of ${zone.type}`);
    } else if (thresholds.tegrastatsThrottleC !== null && celsius >= thresholds.tegrastatsThrottleC && !(zone && zone.tempC !== null)) {
      out.push(`tegrastats ${name} at ${formatCelsius(celsius)} is at or above the throttle limit ${formatCelsius(thresholds.tegrastatsThrottleC)}`);
    }
  }
  return out;
}

function capEvidence(
  readings: HealthReadings,
  memory: FrequencyCapMemory,
  thresholds: HealthThresholds,
): { evidence: string | null; memory: FrequencyCapMemory } {
  if (readings.cpuFrequencies.state === 'unknown' || readings.powerMode.state === 'unknown') {
    return { evidence: memory.lastCapEvidence, memory };
  }
  const mode = readings.powerMode.value?.name ?? null;
  const ceiling: Record<string, number> = mode === memory.ceilingMode ? { ...memory.ceilingKhz } : {};
  const capped: { cpu: string; atKhz: number; referenceKhz: number }[] = [];
  for (const cpu of readings.cpuFrequencies.value) {
    let reference = cpu.cpuinfoMaxKhz;
    if (mode !== null) {
      const highest = Math.max(ceiling[cpu.cpu] ?? 0, cpu.scalingMaxKhz);
      ceiling[cpu.cpu] = highest;
      reference = Math.min(reference, highest);
    }
    if (cpu.scalingMaxKhz < reference) capped.push({ cpu: cpu.cpu, atKhz: cpu.scalingMaxKhz, referenceKhz: reference });
  }
  const now = readings.at;
  const cappedSince = capped.length > 0 ? (memory.cappedSince ?? now) : null;
  let evidence: string | null = null;
  if (cappedSince !== null && now - cappedSince > thresholds.frequencyCapSustainedMs) {
    evidence = `${describeCaps(capped)} for ${formatSeconds(now - cappedSince)}${mode === null ? '' : ` (power mode ${mode})`}`;
  }
  return { evidence, memory: { cappedSince, ceilingKhz: ceiling, ceilingMode: mode, lastCapEvidence: evidence } };
}

/** `cpu0, cpu1 max frequency capped at 1190 MHz below 1510 MHz`, one clause per distinct cap. */
function describeCaps(capped: readonly { cpu: string; atKhz: number; referenceKhz: number }[]): string {
  const groups = new Map<string, { cpus: string[]; atKhz: number; referenceKhz: number }>();
  for (const entry of capped) {
    const key = `${entry.atKhz}/${entry.referenceKhz}`;
    const group = groups.get(key) ?? { cpus: [], atKhz: entry.atKhz, referenceKhz: entry.referenceKhz };
    group.cpus.push(entry.cpu);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((group) => `${group.cpus.join(', ')} max frequency capped at ${formatMhz(group.atKhz)} below ${formatMhz(group.referenceKhz)}`)
    .join(', ');
}
