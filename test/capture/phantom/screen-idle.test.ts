import { describe, expect, it } from 'vitest';
import { fanLayout, pixelInFan } from '../../../src/capture/phantom/fan-geometry.js';
import { createCase } from '../../../src/capture/phantom/sample-case.js';
import { screenAcquisition } from '../../../src/capture/phantom/screen-case.js';
import { IdleFan } from '../../../src/capture/phantom/screen-idle.js';

const ACQ = screenAcquisition(createCase(4).acquisition, 150);

describe('IdleFan', () => {
  const size = 300;
  const fan = new IdleFan(ACQ, size);
  const a = fan.render(9, 0).data;
  const b = fan.render(9, 1).data;

  it('draws only inside the fan, and all of it', () => {
    const layout = fanLayout(ACQ, size, size);
    let mismatches = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const lit = a[y * size + x]! > 0;
        if (lit !== pixelInFan(layout, x, y)) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it('is near-blank: dark, low contrast, below what reads as motion or content', () => {
    let n = 0;
    let sum = 0;
    let sq = 0;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === 0) continue;
      n++;
      sum += a[i]!;
      sq += a[i]! * a[i]!;
      diff += Math.abs(a[i]! - b[i]!);
    }
    const mean = sum / n;
    const sd = Math.sqrt(sq / n - mean * mean);
    expect(mean).toBeGreaterThan(2);
    expect(mean).toBeLessThan(7);
    expect(sd).toBeLessThan(3);
    // Live, not frozen: every frame has new noise (the signal monitor's frozen limit is 0.25).
    expect(diff / n).toBeGreaterThan(1);
    expect(diff / n).toBeLessThan(4);
  });

  it('rings just below the probe face', () => {
    const layout = fanLayout(ACQ, size, size);
    const row = (r: number): number => {
      const y = Math.round(layout.apexY + r);
      return a[y * size + size / 2]!;
    };
    let near = 0;
    for (let r = 0; r < 6; r++) near = Math.max(near, row(layout.innerRadiusPx + 1 + r));
    expect(near).toBeGreaterThan(8);
  });

  it('is deterministic in seed and frame', () => {
    expect(Buffer.compare(new IdleFan(ACQ, size).render(9, 0).data, a)).toBe(0);
    expect(Buffer.compare(fan.render(10, 0).data, a)).not.toBe(0);
  });
});
