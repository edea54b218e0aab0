import { describe, expect, it } from 'vitest';
import { renderBMode } from '../../../src/capture/phantom/bmode-renderer.js';
import { createCase } from '../../../src/capture/phantom/sample-case.js';
import { screenAcquisition, screenCase } from '../../../src/capture/phantom/screen-case.js';
import { examTruth } from '../../../src/capture/phantom/script-builder.js';
import type { AnyExamSegment, InconclusiveVariant } from '../../../src/capture/phantom/script-types.js';

const OPTIONS = { label: 1 as const, borderlineFraction: 0 as const };

function segment(caseSeed: number, variant?: InconclusiveVariant): AnyExamSegment {
  const truth = examTruth(caseSeed, OPTIONS, variant ?? null);
  return variant
    ? { kind: 'exam-inconclusive', variant, index: 0, durationS: 10, caseSeed, caseOptions: OPTIONS, truth }
    : { kind: 'exam', index: 0, durationS: 10, caseSeed, caseOptions: OPTIONS, truth };
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) if (v !== 0) n++;
  return n;
}

function meanInside(pixels: Uint8Array, fan: Uint8Array): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < pixels.length; i++) {
    if (fan[i] === 0) continue;
    s += pixels[i]!;
    n++;
  }
  return s / n;
}

describe('screenCase', () => {
  it('uses the scanner preset: the layout sector and the depth rounded up to 0.5 cm', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const base = createCase(seed, OPTIONS);
      const acq = screenAcquisition(base.acquisition, 150);
      expect(acq.sectorDeg).toBe(150);
      expect(acq.depthCm * 2).toBe(Math.round(acq.depthCm * 2));
      expect(acq.depthCm).toBeGreaterThanOrEqual(base.acquisition.depthCm);
      expect(acq.depthCm - base.acquisition.depthCm).toBeLessThan(0.5);
      expect(acq.frequencyMHz).toBe(base.acquisition.frequencyMHz);
    }
  });

  it.each([11, 12, 13])('case %i: shows the uterus in a plain exam and removes it off-axis', (seed) => {
    const plain = renderBMode(screenCase(segment(seed), 150), { width: 160, height: 160 });
    const offAxis = renderBMode(screenCase(segment(seed, 'off-axis'), 150), { width: 160, height: 160 });
    expect(count(plain.masks.myometrium)).toBeGreaterThan(500);
    expect(count(plain.masks.tumour)).toBeGreaterThan(0);
    expect(count(offAxis.masks.myometrium)).toBe(0);
    expect(count(offAxis.masks.endometrium)).toBe(0);
    expect(count(offAxis.masks.tumour)).toBe(0);
    // Still an ultrasound image: tissue echoes fill the fan.
    expect(meanInside(offAxis.pixels, offAxis.fanMask)).toBeGreaterThan(0.5 * meanInside(plain.pixels, plain.fanMask));
  });

  it.each([11, 12, 13])('case %i: the shadowed variant darkens most of the fan', (seed) => {
    const plain = renderBMode(screenCase(segment(seed), 150), { width: 160, height: 160 });
    const shadowed = renderBMode(screenCase(segment(seed, 'shadowed'), 150), { width: 160, height: 160 });
    let dark = 0;
    let inside = 0;
    for (let i = 0; i < shadowed.pixels.length; i++) {
      if (shadowed.fanMask[i] === 0) continue;
      inside++;
      if (shadowed.pixels[i]! < 20) dark++;
    }
    expect(dark / inside).toBeGreaterThan(0.5);
    expect(meanInside(shadowed.pixels, shadowed.fanMask)).toBeLessThan(0.6 * meanInside(plain.pixels, plain.fanMask));
  });

  it('leaves the case truth alone: variants change the picture, not the case', () => {
    const s = segment(12, 'shadowed');
    const c = screenCase(s, 150);
    expect(c.label).toBe(s.truth.label);
    expect(c.depthRatio).toBe(s.truth.depthRatio);
  });
});
