import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, known, unknown, type Probed } from './probed.js';

/** A trip point: the temperature at which the kernel acts (`passive`: throttle, `critical`: shut down, ...). */
export interface ThermalTrip {
  readonly index: number;
  readonly type: string;
  readonly tempC: number;
}

export interface ThermalZoneReading {
  /** `thermal_zone0`, ... */
  readonly zone: string;
  /** The zone's `type` (`cpu-thermal`, `gpu-thermal`, `tj-thermal`, `x86_pkg_temp`, ...). */
  readonly type: string;
  /** Null when the sensor is powered down (tegra: -256000) or its `temp` cannot be read (EINVAL, ENODATA). */
  readonly tempC: number | null;
  /** Why `tempC` is null, when it is. */
  readonly note: string | null;
  readonly trips: readonly ThermalTrip[];
}

const ZONE_DIR = /^thermal_zone(\d+)$/;
const TRIP_TEMP = /^trip_point_(\d+)_temp$/;
/** Tegra reports a powered-down sensor as -256000 millidegrees. */
const SENSOR_OFF_BELOW_MILLI = -200_000;

/**
 * Reads every `<sysRoot>/class/thermal/thermal_zone*` with its trip points. A board without the thermal class (a
 * container, some VMs) has no zones: that is `known([])`, not a failure. One zone that cannot be read does not hide
 * the others.
 */
export async function readThermalZones(sysRoot = '/sys'): Promise<Probed<readonly ThermalZoneReading[]>> {
  const base = join(sysRoot, 'class', 'thermal');
  let names: string[];
  try {
    names = await readdir(base);
  } catch (error) {
    if (isMissing(error)) return known([]);
    return unknown(`cannot list ${base}: ${describeError(error)}`);
  }
  const zones = names
    .map((name) => ({ name, number: Number(ZONE_DIR.exec(name)?.[1] ?? Number.NaN) }))
    .filter((entry) => Number.isInteger(entry.number))
    .sort((a, b) => a.number - b.number);
  const readings = await Promise.all(zones.map((entry) => readZone(join(base, entry.name), entry.name)));
  return known(readings.filter((reading): reading is ThermalZoneReading => reading !== null));
}

async function readZone(dir: string, zone: string): Promise<ThermalZoneReading | null> {
  const type = await readTrimmed(join(dir, 'type'));
  if (type === null) return null;
  let tempC: number | null = null;
  let note: string | null = null;
  try {
    const milli = parseInteger(await readFile(join(dir, 'temp'), 'utf8'));
    if (milli === null) note = 'temp is not a number';
    else if (milli <= SENSOR_OFF_BELOW_MILLI) note = 'sensor off';
    else tempC = milli / 1000;
  } catch (error) {
    note = `temp unreadable: ${describeError(error)}`;
  }
  return { zone, type, tempC, note, trips: await readTrips(dir) };
}

async function readTrips(dir: string): Promise<ThermalTrip[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const trips: ThermalTrip[] = [];
  for (const name of names) {
    const index = TRIP_TEMP.exec(name)?.[1];
    if (index === undefined) continue;
    const [tempText, type] = await Promise.all([
      readTrimmed(join(dir, name)),
      readTrimmed(join(dir, `trip_point_${index}_type`)),
    ]);
    const milli = tempText === null ? null : parseInteger(tempText);
    // Disabled trips read as a huge or negative value on some boards; they cannot be crossed, so leave them out.
    if (milli === null || type === null || milli <= 0 || milli >= 1_000_000) continue;
    trips.push({ index: Number(index), type, tempC: milli / 1000 });
  }
  return trips.sort((a, b) => a.index - b.index);
}

export async function readTrimmed(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return null;
  }
}

export function parseInteger(text: string): number | null {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : null;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
