import type { Rng } from './rng.js';
import type { Acquisition } from './types.js';

/** Scanner settings as a sonographer leaves them: plausible ranges for a transvaginal probe, some misadjusted. */
export function drawAcquisition(rng: Rng): Acquisition {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  const tgcDb: number[] = [];
  for (let i = 0; i < 5; i++) tgcDb.push(clamp(rng.normal(0, 2.2), -6, 6));
  return {
    depthCm: rng.range(7, 10.5),
    probeRadiusCm: rng.range(0.8, 1.1),
    sectorDeg: rng.int(100, 151),
    tiltDeg: clamp(rng.normal(0, 5), -12, 12),
    frequencyMHz: rng.range(5, 9),
    focusCm: rng.range(2.5, 5.5),
    gainDb: clamp(rng.normal(0, 3), -8, 8),
    tgcDb,
    tgcCompensation: rng.range(0.86, 1.06),
    dynamicRangeDb: rng.range(45, 75),
    speckleSize: rng.range(0.8, 1.5),
    noiseDb: rng.range(-112, -98),
    grayMapGamma: rng.range(1.1, 1.7),
    motion: {
      shiftCm: rng.range(0.03, 0.15),
      rotationDeg: rng.range(0.3, 2),
      periodFrames: rng.range(90, 180),
      tremorPeriodFrames: rng.range(12, 30),
      phase: rng.range(0, 2 * Math.PI),
      tremorPhase: rng.range(0, 2 * Math.PI),
      direction: rng.range(0, 2 * Math.PI),
      decorrelation: rng.range(0.02, 0.1),
    },
  };
}
