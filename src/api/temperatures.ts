import type { HealthSnapshot } from '../device/health/health-monitor.js';
import type { Temperature } from './api-view.js';

/** Every temperature the last health poll saw: thermal zones (by type), tegrastats sensors, or the CPU package. */
export function temperaturesOf(snapshot: HealthSnapshot): Temperature[] {
  const readings = snapshot.readings;
  if (!readings) return [];
  const out: Temperature[] = [];
  if (readings.thermalZones.state === 'known') {
    for (const zone of readings.thermalZones.value) if (zone.tempC !== null) out.push({ source: zone.type, tempC: zone.tempC });
  }
  if (out.length === 0 && readings.cpuTemperature.state === 'known' && readings.cpuTemperature.value.mainC !== null) {
    out.push({ source: 'cpu', tempC: readings.cpuTemperature.value.mainC });
  }
  return out;
}
