import type { MetricsRegistry } from '../../telemetry/metrics.js';
import type { HealthReadings } from './health-readings.js';
import type { ThrottlingState } from './throttle-detector.js';

/** What the gauges read at scrape time: the monitor's latest poll, or null before the first one. */
export interface HealthMetricsView {
  readonly readings: HealthReadings | null;
  readonly throttling: ThrottlingState | null;
}

/**
 * Registers the health gauges. Values are taken from the latest poll when Prometheus scrapes (no work between
 * scrapes). A reading that could not be taken is exported as NaN, never 0: a zero free-disk gauge would page someone.
 */
export function registerHealthGauges(metrics: MetricsRegistry, read: () => HealthMetricsView): void {
  metrics.gauge('temperature_celsius', 'Temperature by thermal zone (sysfs zone type; tegrastats or systeminformation where sysfs has none).', {
    labelNames: ['zone'] as const,
    collect() {
      // Zones can vanish between polls (a sensor powered down): start from empty so none sticks with an old value.
      this.reset();
      for (const [zone, celsius] of Object.entries(temperaturesByZone(read().readings))) this.set({ zone }, celsius);
    },
  });
  metrics.gauge('memory_available_bytes', 'Memory available to new allocations without swapping (MemAvailable).', {
    collect() {
      const memory = read().readings?.memory;
      this.set(memory?.state === 'known' ? memory.value.availableBytes : Number.NaN);
    },
  });
  metrics.gauge('disk_free_bytes', 'Free space an unprivileged writer can use on the file system holding the state folder.', {
    collect() {
      const disk = read().readings?.disk;
      this.set(disk?.state === 'known' ? disk.value.freeBytes : Number.NaN);
    },
  });
  metrics.gauge('cpu_load_ratio', 'Share of CPU time busy across all cores (0..1).', {
    collect() {
      const load = read().readings?.cpuLoad;
      this.set(load?.state === 'known' ? load.value.loadRatio : Number.NaN);
    },
  });
  metrics.gauge('thermal_throttled', '1 while thermal throttling is seen (passive trip, capped CPU frequency), else 0.', {
    collect() {
      const throttling = read().throttling;
      this.set(throttling === null ? Number.NaN : throttling.throttled ? 1 : 0);
    },
  });
}

/** Sysfs zones by type; tegrastats sensors, then systeminformation's CPU reading, only where sysfs gave nothing. */
export function temperaturesByZone(readings: HealthReadings | null): Record<string, number> {
  const out: Record<string, number> = {};
  if (!readings) return out;
  if (readings.thermalZones.state === 'known') {
    for (const zone of readings.thermalZones.value) {
      if (zone.tempC === null) continue;
      out[zone.type in out ? `${zone.type}:${zone.zone}` : zone.type] = zone.tempC;
    }
  }
  if (Object.keys(out).length > 0) return out;
  for (const [name, celsius] of Object.entries(readings.tegrastats?.temps ?? {})) out[`tegrastats_${name}`] = celsius;
  if (Object.keys(out).length > 0) return out;
  if (readings.cpuTemperature.state === 'known' && readings.cpuTemperature.value.mainC !== null) {
    out.cpu = readings.cpuTemperature.value.mainC;
  }
  return out;
}
