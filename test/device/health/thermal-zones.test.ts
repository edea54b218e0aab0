import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCpuFrequencies } from '../../../src/device/health/cpu-frequency.js';
import { readThermalZones } from '../../../src/device/health/thermal-zones.js';

/** Writes a fake sysfs tree: `{ 'class/thermal/thermal_zone0/type': 'cpu-thermal\n', ... }`; a null value makes a folder. */
async function tree(root: string, files: Record<string, string | null>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    const full = join(root, file);
    if (content === null) {
      await mkdir(full, { recursive: true });
      continue;
    }
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, content);
  }
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'myo-sysfs-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readThermalZones', () => {
  it('reads types, millidegree temperatures and trip points, zones in numeric order', async () => {
    await tree(root, {
      'class/thermal/thermal_zone0/type': 'cpu-thermal\n',
      'class/thermal/thermal_zone0/temp': '47500\n',
      'class/thermal/thermal_zone0/trip_point_0_temp': '99000\n',
      'class/thermal/thermal_zone0/trip_point_0_type': 'passive\n',
      'class/thermal/thermal_zone0/trip_point_1_temp': '104500\n',
      'class/thermal/thermal_zone0/trip_point_1_type': 'critical\n',
      'class/thermal/thermal_zone10/type': 'tj-thermal\n',
      'class/thermal/thermal_zone10/temp': '51250\n',
      'class/thermal/thermal_zone2/type': 'gpu-thermal\n',
      'class/thermal/thermal_zone2/temp': '-256000\n',
      'class/thermal/cooling_device0/type': 'cpufreq\n',
    });
    const zones = await readThermalZones(root);
    expect(zones.state).toBe('known');
    if (zones.state !== 'known') return;
    expect(zones.value.map((z) => z.zone)).toEqual(['thermal_zone0', 'thermal_zone2', 'thermal_zone10']);
    expect(zones.value[0]).toEqual({
      zone: 'thermal_zone0',
      type: 'cpu-thermal',
      tempC: 47.5,
      note: null,
      trips: [
        { index: 0, type: 'passive', tempC: 99 },
        { index: 1, type: 'critical', tempC: 104.5 },
      ],
    });
    expect(zones.value[1]).toMatchObject({ type: 'gpu-thermal', tempC: null, note: 'sensor off', trips: [] });
    expect(zones.value[2]).toMatchObject({ type: 'tj-thermal', tempC: 51.25 });
  });

  it('keeps a zone whose temp cannot be read, with the reason, and drops disabled trips', async () => {
    await tree(root, {
      'class/thermal/thermal_zone0/type': 'CV0-therm\n',
      // A folder where the file should be: reading it fails like a powered-down sensor's EINVAL does.
      'class/thermal/thermal_zone0/temp': null,
      'class/thermal/thermal_zone0/trip_point_0_temp': '-274000\n',
      'class/thermal/thermal_zone0/trip_point_0_type': 'passive\n',
      'class/thermal/thermal_zone0/trip_point_1_temp': 'junk\n',
      'class/thermal/thermal_zone0/trip_point_1_type': 'hot\n',
      'class/thermal/thermal_zone0/trip_point_2_temp': '95500\n',
      'class/thermal/thermal_zone1/temp': '40000\n',
    });
    const zones = await readThermalZones(root);
    if (zones.state !== 'known') throw new Error(zones.reason);
    expect(zones.value).toHaveLength(1);
    const [first] = zones.value;
    expect(first?.tempC).toBeNull();
    expect(first?.note).toMatch(/^temp unreadable: EISDIR/);
    // trip 2 has no type file, trip 0 is disabled, trip 1 is not a number: none can be crossed.
    expect(first?.trips).toEqual([]);
  });

  it('answers an empty list on a machine without a thermal class', async () => {
    expect(await readThermalZones(join(root, 'nothing-here'))).toEqual({ state: 'known', value: [] });
  });

  it('answers unknown when the thermal class cannot be listed', async () => {
    await tree(root, { class: null });
    await writeFile(join(root, 'class', 'thermal'), 'not a folder');
    const zones = await readThermalZones(root);
    expect(zones.state).toBe('unknown');
    if (zones.state === 'unknown') expect(zones.reason).toMatch(/cannot list .*class\/thermal: ENOTDIR/);
  });
});

describe('readCpuFrequencies', () => {
  it('reads scaling and hardware limits per core and skips cores without cpufreq', async () => {
    await tree(root, {
      'devices/system/cpu/cpu0/cpufreq/scaling_max_freq': '1510400\n',
      'devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq': '1510400\n',
      'devices/system/cpu/cpu0/cpufreq/scaling_cur_freq': '729600\n',
      'devices/system/cpu/cpu1/cpufreq/scaling_max_freq': '1190400\n',
      'devices/system/cpu/cpu1/cpufreq/cpuinfo_max_freq': '1510400\n',
      'devices/system/cpu/cpu4/online': '0\n',
      'devices/system/cpu/cpufreq/policy0/scaling_max_freq': '1510400\n',
      'devices/system/cpu/cpuidle/current_driver': 'psci_idle\n',
    });
    expect(await readCpuFrequencies(root)).toEqual({
      state: 'known',
      value: [
        { cpu: 'cpu0', scalingMaxKhz: 1510400, cpuinfoMaxKhz: 1510400, scalingCurKhz: 729600 },
        { cpu: 'cpu1', scalingMaxKhz: 1190400, cpuinfoMaxKhz: 1510400, scalingCurKhz: null },
      ],
    });
  });

  it('answers an empty list where there is no cpu folder', async () => {
    expect(await readCpuFrequencies(root)).toEqual({ state: 'known', value: [] });
  });
});
