import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError, known, unknown, type Probed } from './probed.js';
import { parseInteger, readTrimmed } from './thermal-zones.js';

/** One core's cpufreq limits, in kHz as the kernel writes them. */
export interface CpuFrequencyReading {
  /** `cpu0`, ... */
  readonly cpu: string;
  /** The ceiling the governor may use now: lowered by thermal cooling (and by nvpmodel on a Jetson). */
  readonly scalingMaxKhz: number;
  /** The hardware's own maximum. */
  readonly cpuinfoMaxKhz: number;
  readonly scalingCurKhz: number | null;
}

const CPU_DIR = /^cpu(\d+)$/;

/**
 * Reads `<sysRoot>/devices/system/cpu/cpu<N>/cpufreq/{scaling_max_freq,cpuinfo_max_freq,scaling_cur_freq}`. Cores
 * without cpufreq (offline cores, VMs) are skipped; a board without any is `known([])`.
 */
export async function readCpuFrequencies(sysRoot = '/sys'): Promise<Probed<readonly CpuFrequencyReading[]>> {
  const base = join(sysRoot, 'devices', 'system', 'cpu');
  let names: string[];
  try {
    names = await readdir(base);
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return known([]);
    return unknown(`cannot list ${base}: ${describeError(error)}`);
  }
  const cpus = names
    .map((name) => ({ name, number: Number(CPU_DIR.exec(name)?.[1] ?? Number.NaN) }))
    .filter((entry) => Number.isInteger(entry.number))
    .sort((a, b) => a.number - b.number);
  const readings = await Promise.all(cpus.map((entry) => readCpu(join(base, entry.name, 'cpufreq'), entry.name)));
  return known(readings.filter((reading): reading is CpuFrequencyReading => reading !== null));
}

async function readCpu(dir: string, cpu: string): Promise<CpuFrequencyReading | null> {
  const [scalingMax, cpuinfoMax, scalingCur] = await Promise.all(
    ['scaling_max_freq', 'cpuinfo_max_freq', 'scaling_cur_freq'].map(async (file) => {
      const text = await readTrimmed(join(dir, file));
      return text === null ? null : parseInteger(text);
    }),
  );
  if (scalingMax === null || scalingMax === undefined || cpuinfoMax === null || cpuinfoMax === undefined) return null;
  return { cpu, scalingMaxKhz: scalingMax, cpuinfoMaxKhz: cpuinfoMax, scalingCurKhz: scalingCur ?? null };
}
