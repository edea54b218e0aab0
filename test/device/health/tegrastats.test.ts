import { describe, expect, it } from 'vitest';
import { parseTegrastatsLine, type TegrastatsSample } from '../../../src/device/health/tegrastats.js';
import { firstLine } from './helpers.js';

function parse(name: string): TegrastatsSample {
  const sample = parseTegrastatsLine(firstLine(name));
  if (!sample) throw new Error(`${name} did not parse`);
  return sample;
}

describe('parseTegrastatsLine on recorded lines', () => {
  it('JetPack 5.1 Orin: bare percentages, lower-case sensors, mW rails', () => {
    const s = parse('jetpack-5.1-orin.txt');
    expect(s.timestamp).toBeNull();
    expect(s.ram).toEqual({ usedMb: 2203, totalMb: 7620 });
    expect(s.swap).toEqual({ usedMb: 0, totalMb: 3810, cachedMb: 0 });
    expect(s.cpus).toHaveLength(6);
    expect(s.cpus[0]).toEqual({ loadPct: 2, freqMhz: 729 });
    expect(s.cpus[3]).toEqual({ loadPct: 3, freqMhz: 729 });
    expect(s.gpuPct).toBe(0);
    expect(s.gpuFreqMhz).toEqual([]);
    expect(s.emcPct).toBe(0);
    expect(s.temps).toEqual({ cpu: 45.5, soc2: 44.3, soc0: 45.1, gpu: 44.8, tj: 45.5, soc1: 44.1 });
    expect(s.power).toEqual({
      VDD_IN: { nowMw: 4500, avgMw: 4500, maxMw: null },
      VDD_CPU_GPU_CV: { nowMw: 600, avgMw: 600, maxMw: null },
      VDD_SOC: { nowMw: 1200, avgMw: 1200, maxMw: null },
    });
    expect(s.unparsed).toEqual([]);
  });

  it('JetPack 5 Orin NX: upper-case sensor names are lower-cased, single GR3D frequency, offline cores', () => {
    const s = parse('jetpack-5-orin-nx-uppercase.txt');
    expect(s.cpus).toEqual([
      { loadPct: 6, freqMhz: 729 },
      { loadPct: 9, freqMhz: 729 },
      { loadPct: 5, freqMhz: 729 },
      { loadPct: 16, freqMhz: 729 },
      'off',
      'off',
      'off',
      'off',
    ]);
    expect(s.gpuPct).toBe(0);
    expect(s.gpuFreqMhz).toEqual([611]);
    expect(s.emcPct).toBe(0);
    expect(s.engines.VIC_FREQ).toEqual({ pct: null, freqMhz: 729 });
    expect(s.engines.APE).toEqual({ pct: null, freqMhz: 174 });
    expect(s.temps.cpu).toBe(47.937);
    expect(s.temps.gpu).toBe(45.875);
    expect(s.temps.cv0).toBe(45.812);
    expect(s.temps.tj).toBe(48.875);
    expect(Object.keys(s.temps)).toHaveLength(9);
    expect(s.power.VDD_IN).toEqual({ nowMw: 5299, avgMw: 5299, maxMw: null });
    expect(s.unparsed).toEqual([]);
  });

  it('JetPack 6 Orin Nano: date prefix, bracketed GPC frequency, engines off', () => {
    const s = parse('jetpack-6-orin-nano-engines-off.txt');
    expect(s.timestamp).toBe('11-15-2024 08:38:09');
    expect(s.ram).toEqual({ usedMb: 6185, totalMb: 7620 });
    expect(s.swap).toEqual({ usedMb: 851, totalMb: 3810, cachedMb: 1 });
    expect(s.cpus[0]).toEqual({ loadPct: 15, freqMhz: 729 });
    expect(s.gpuPct).toBe(63);
    expect(s.gpuFreqMhz).toEqual([621]);
    expect(s.emcPct).toBe(43);
    for (const engine of ['NVDEC', 'NVJPG', 'NVJPG1', 'VIC', 'OFA']) expect(s.engines[engine]).toBe('off');
    expect(s.engines.APE).toEqual({ pct: null, freqMhz: 200 });
    expect(s.temps).toEqual({ cpu: 53.968, soc2: 52.437, soc0: 50.75, gpu: 53.343, tj: 53.968, soc1: 51.656 });
    expect(s.power.VDD_CPU_GPU_CV).toEqual({ nowMw: 4667, avgMw: 4667, maxMw: null });
    expect(s.unparsed).toEqual([]);
  });

  it('JetPack 6 Orin with cores off, no EMC field, and a power value missing its unit', () => {
    const s = parse('jetpack-6-orin-cores-off.txt');
    expect(s.cpus.filter((c) => c === 'off')).toHaveLength(2);
    expect(s.cpus).toHaveLength(6);
    expect(s.emcPct).toBeNull();
    expect(s.gpuPct).toBe(1);
    expect(s.temps.cpu).toBe(62.843);
    expect(s.power.VDD_CPU_GPU_CV).toEqual({ nowMw: 598, avgMw: 598, maxMw: null });
    expect(s.power.VDD_IN).toEqual({ nowMw: 3913, avgMw: 3922, maxMw: null });
    expect(s.unparsed).toEqual([]);
  });

  it('JetPack 6 AGX Orin: -256C sensors are off, NC rails dropped, two GPC frequencies', () => {
    const s = parse('jetpack-6-agx-orin-sensors-off.txt');
    expect(s.timestamp).toBe('04-11-2025 10:36:27');
    expect(s.cpus).toHaveLength(12);
    expect(s.gpuPct).toBe(0);
    expect(s.gpuFreqMhz).toEqual([0, 0]);
    expect(s.sensorsOff).toEqual(['cv0', 'cv1', 'gpu', 'cv2']);
    expect(s.temps).toEqual({ cpu: 44.562, tboard: 32, soc2: 40.093, tdiode: 33, soc0: 41.093, tj: 44.343, soc1: 41.25 });
    expect(Object.keys(s.power)).toEqual(['VDD_GPU_SOC', 'VDD_CPU_CV', 'VIN_SYS_5V0', 'VDDQ_VDD2_1V8AO']);
    expect(s.power.VIN_SYS_5V0).toEqual({ nowMw: 4025, avgMw: 4025, maxMw: null });
    expect(s.unparsed).toEqual([]);
  });

  it('JetPack 6.2.1 AGX Orin: busy encoder, VIN_SYS_5V0', () => {
    const s = parse('jetpack-6.2.1-agx-orin.txt');
    expect(s.timestamp).toBe('05-09-2026 18:42:06');
    expect(s.ram).toEqual({ usedMb: 18207, totalMb: 62841 });
    expect(s.cpus[0]).toEqual({ loadPct: 14, freqMhz: 2188 });
    expect(s.cpus[11]).toEqual({ loadPct: 10, freqMhz: 1036 });
    expect(s.emcPct).toBe(3);
    expect(s.gpuFreqMhz).toEqual([0, 0]);
    expect(s.engines.NVENC).toEqual({ pct: 79, freqMhz: 166 });
    expect(s.engines.VIC).toEqual({ pct: 36, freqMhz: 115 });
    expect(s.engines.NVDEC).toBe('off');
    expect(s.engines.PVA0_FREQ).toBe('off');
    expect(s.temps).toEqual({ cpu: 52.562, soc2: 48.437, soc0: 49.093, tj: 52.562, soc1: 49.656 });
    expect(s.power.VIN_SYS_5V0).toEqual({ nowMw: 4707, avgMw: 4707, maxMw: null });
    expect(s.unparsed).toEqual([]);
  });

  it('r36 line with runs of spaces between fields', () => {
    const s = parse('r36-wide-spacing.txt');
    expect(s.swap).toEqual({ usedMb: 4915, totalMb: 15348, cachedMb: 1 });
    expect(s.cpus[5]).toEqual({ loadPct: 100, freqMhz: 2201 });
    expect(s.gpuFreqMhz).toEqual([305, 305]);
    expect(s.engines.NVDLA1).toBe('off');
    expect(s.engines.APE).toEqual({ pct: null, freqMhz: 174 });
    expect(s.temps.gpu).toBe(47.812);
    expect(s.power.VDD_CPU_CV).toEqual({ nowMw: 4405, avgMw: 4405, maxMw: null });
    expect(s.unparsed).toEqual([]);
  });

  it('R39 Thor: GR3D without a load, now/max temperatures, three power values', () => {
    const s = parse('r39-thor-three-values.txt');
    expect(s.cpus).toHaveLength(14);
    expect(s.gpuPct).toBeNull();
    expect(s.gpuFreqMhz).toEqual([314, 314, 314]);
    expect(s.engines.NVENC0_FREQ).toEqual({ pct: null, freqMhz: 1556 });
    expect(s.temps).toEqual({ cpu: 34.843, tj: 35.906, soc012: 34.437, gpu: 35.906, soc345: 34.406 });
    expect(s.power.VDD_CPU_SOC_MSS).toEqual({ nowMw: 8710, avgMw: 8710, maxMw: 8710 });
    expect(s.unparsed).toEqual([]);
  });

  it('keeps tokens it does not know in unparsed and still reads the rest (Xavier MTS)', () => {
    const s = parse('xavier-mts.txt');
    expect(s.unparsed).toEqual(['MTS', 'fg', '0%', 'bg', '0%']);
    expect(s.temps.pmic).toBe(100);
    expect(s.temps.thermal).toBe(42.55);
    expect(s.power.VDD_IN).toEqual({ nowMw: 4067, avgMw: 4067, maxMw: null });
    expect(s.gpuPct).toBe(62);
  });
});

describe('parseTegrastatsLine on odd input', () => {
  it.each([
    [''],
    ['   '],
    ['tegrastats: command not found'],
    ['Error: unable to open /sys/kernel/debug/bpmp/debug/clk'],
    ['RAM lots/of MB'],
    ['VDD_IN 4500mW/4500mW'],
    ['\u0000\u0001\u00ff binary noise'],
    ['NVDEC off NVJPG off'],
  ])('returns null for %j', (line) => {
    expect(parseTegrastatsLine(line)).toBeNull();
  });

  it('reads the old shared-frequency CPU form and an IRAM field it does not know', () => {
    const s = parseTegrastatsLine('RAM 534/3964MB (lfb 98x4MB) IRAM 0/252kB(lfb 252kB) CPU [16%,9%,0%,0%]@204 EMC_FREQ 0%@204 GR3D_FREQ 0%@76 CPU@36.5C');
    expect(s?.cpus).toEqual([
      { loadPct: 16, freqMhz: 204 },
      { loadPct: 9, freqMhz: 204 },
      { loadPct: 0, freqMhz: 204 },
      { loadPct: 0, freqMhz: 204 },
    ]);
    expect(s?.unparsed).toEqual(['IRAM', '0/252kB(lfb', '252kB)']);
    expect(s?.temps).toEqual({ cpu: 36.5 });
  });

  it('treats a CPU list with a malformed entry as unknown tokens, not as cores', () => {
    const s = parseTegrastatsLine('RAM 100/200MB CPU [5%@729,banana] cpu@40C');
    expect(s?.cpus).toEqual([]);
    expect(s?.unparsed).toEqual(['CPU', '[5%@729,banana]']);
    expect(s?.ram).toEqual({ usedMb: 100, totalMb: 200 });
  });

  it('survives a line cut off in the middle of a field', () => {
    const s = parseTegrastatsLine('RAM 2203/7620MB (lfb 1x4MB) SWAP 0/3810MB (cac');
    expect(s?.ram).toEqual({ usedMb: 2203, totalMb: 7620 });
    expect(s?.swap).toEqual({ usedMb: 0, totalMb: 3810, cachedMb: null });
  });
});
