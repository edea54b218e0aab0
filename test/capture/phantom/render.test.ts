import { describe, expect, it } from 'vitest';
import { BModeRenderer, renderBMode } from '../../../src/capture/phantom/bmode-renderer.js';
import type { BModeImage } from '../../../src/capture/phantom/bmode-renderer.js';
import { pixelToScene } from '../../../src/capture/phantom/fan-geometry.js';
import { createCase } from '../../../src/capture/phantom/sample-case.js';
import { SceneSampler } from '../../../src/capture/phantom/scene.js';
import type { PhantomCase, PhantomScene } from '../../../src/capture/phantom/types.js';
import { TissueClass } from '../../../src/capture/phantom/types.js';

const SIZE = 192;

function correlation(a: Uint8Array, b: Uint8Array, mask: Uint8Array): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let p = 0; p < a.length; p++) {
    if (mask[p] !== 255) continue;
    const x = a[p]!;
    const y = b[p]!;
    n++;
    sa += x;
    sb += y;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  const cov = sab / n - (sa / n) * (sb / n);
  return cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) if (v === 255) n++;
  return n;
}

/** A scene of uniform background only (the uterus moved far out of view), plus what the test adds. */
function plainScene(c: PhantomCase, extra: Partial<PhantomScene>): PhantomCase {
  return {
    ...c,
    scene: {
      ...c.scene,
      uterus: { ...c.scene.uterus, centre: { x: 0, z: 80 } },
      tumour: null,
      fibroids: [],
      fluid: [],
      gas: [],
      adenomyosis: null,
      background: { echogenicity: 0.7, heterogeneity: 0, textureSeed: 1 },
      ...extra,
    },
    acquisition: { ...c.acquisition, tiltDeg: 0, tgcDb: [0, 0, 0, 0, 0], tgcCompensation: 1, noiseDb: -140 },
  };
}

describe('renderBMode', () => {
  const renderer = new BModeRenderer();

  it('is deterministic: same case and frame, same bytes, whatever was rendered before', () => {
    const a = createCase(101);
    const b = createCase(102);
    const first = renderer.render(a, { width: SIZE, height: SIZE });
    renderer.render(b, { width: 160, height: 128 });
    const again = renderer.render(a, { width: SIZE, height: SIZE });
    const fresh = renderBMode(a, { width: SIZE, height: SIZE });
    expect(Buffer.from(again.pixels).equals(Buffer.from(first.pixels))).toBe(true);
    expect(Buffer.from(fresh.pixels).equals(Buffer.from(first.pixels))).toBe(true);
    expect(Buffer.from(fresh.masks.tumour).equals(Buffer.from(first.masks.tumour))).toBe(true);
    const other = renderer.render(b, { width: SIZE, height: SIZE });
    expect(Buffer.from(other.pixels).equals(Buffer.from(first.pixels))).toBe(false);
  });

  it('draws a fan with black outside it, and masks only inside it, disjoint', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const img = renderer.render(createCase(seed), { width: SIZE, height: 160 });
      expect(img.pixels).toHaveLength(SIZE * 160);
      const fan = count(img.fanMask);
      expect(fan).toBeGreaterThan(0.4 * SIZE * 160);
      expect(fan).toBeLessThan(SIZE * 160);
      let litInFan = 0;
      let litOutside = 0;
      let maskedOutside = 0;
      let overlapping = 0;
      for (let p = 0; p < img.pixels.length; p++) {
        const e = img.masks.endometrium[p]!;
        const m = img.masks.myometrium[p]!;
        const t = img.masks.tumour[p]!;
        if (img.fanMask[p] !== 255) {
          if (img.pixels[p] !== 0) litOutside++;
          if ((e | m | t) !== 0) maskedOutside++;
        } else if (img.pixels[p]! > 0) litInFan++;
        if ((e === 255 ? 1 : 0) + (m === 255 ? 1 : 0) + (t === 255 ? 1 : 0) > 1) overlapping++;
      }
      expect(litOutside).toBe(0);
      expect(maskedOutside).toBe(0);
      expect(overlapping).toBe(0);
      expect(litInFan / fan).toBeGreaterThan(0.8);
      expect(count(img.masks.myometrium)).toBeGreaterThan(0.02 * fan);
    }
  });

  it('has a tumour mask iff the case has a tumour, and it lies inside the uterus', () => {
    let checked = 0;
    for (let seed = 200; seed < 216; seed++) {
      const c = createCase(seed);
      const img = renderer.render(c, { width: SIZE, height: SIZE, frame: seed % 3 });
      const tumourPixels = count(img.masks.tumour);
      if (c.scene.tumour === null) {
        expect(tumourPixels).toBe(0);
        continue;
      }
      expect(tumourPixels).toBeGreaterThan(10);
      const sampler = new SceneSampler(c.scene);
      for (let p = 0; p < img.masks.tumour.length; p++) {
        if (img.masks.tumour[p] !== 255) continue;
        const point = pixelToScene(img.layout, img.pose, p % SIZE, Math.floor(p / SIZE));
        expect(point).not.toBeNull();
        expect(sampler.insideUterus(point!.x, point!.z)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('shows the endometrium brighter than the myometrium where the masks say they are', () => {
    let brighter = 0;
    for (let seed = 300; seed < 310; seed++) {
      const img = renderer.render(createCase(seed), { width: SIZE, height: SIZE });
      const mean = (mask: Uint8Array): number => {
        let s = 0;
        let n = 0;
        for (let p = 0; p < mask.length; p++) {
          if (mask[p] !== 255) continue;
          s += img.pixels[p]!;
          n++;
        }
        return s / n;
      };
      if (mean(img.masks.endometrium) > mean(img.masks.myometrium) + 5) brighter++;
    }
    expect(brighter).toBeGreaterThanOrEqual(8);
  });

  it('produces Rayleigh speckle in homogeneous tissue (envelope SNR ~1.91, log std ~5.6 dB)', () => {
    const c = plainScene(createCase(11), {});
    const img = renderer.render(c, { width: 256, height: 256, diagnostics: true });
    const polar = img.polar!;
    const { ranges, beams, envelope, gray } = polar;
    const snrs: number[] = [];
    const logStds: number[] = [];
    for (let k = Math.floor(ranges * 0.2); k < Math.floor(ranges * 0.6); k += 3) {
      const env: number[] = [];
      const g: number[] = [];
      for (let b = 5; b < beams - 5; b++) {
        if (k >= polar.beamEnd[b]! - 10) continue;
        env.push(envelope[b * ranges + k]!);
        g.push(gray[b * ranges + k]!);
      }
      if (env.length < 60) continue;
      const m = env.reduce((s, v) => s + v, 0) / env.length;
      const sd = Math.sqrt(env.reduce((s, v) => s + (v - m) ** 2, 0) / env.length);
      snrs.push(m / sd);
      const gm = g.reduce((s, v) => s + v, 0) / g.length;
      if (gm > 60 && gm < 200) logStds.push(Math.sqrt(g.reduce((s, v) => s + (v - gm) ** 2, 0) / g.length));
    }
    expect(snrs.length).toBeGreaterThan(10);
    const snr = snrs.reduce((s, v) => s + v, 0) / snrs.length;
    expect(snr).toBeGreaterThan(1.75);
    expect(snr).toBeLessThan(2.1);
    // 20 log10 of a Rayleigh envelope has a standard deviation of 5.57 dB, shown as 5.57 * 255 / DR gray levels.
    const expectedGray = (5.57 * 255) / c.acquisition.dynamicRangeDb;
    const logStd = logStds.reduce((s, v) => s + v, 0) / logStds.length;
    expect(logStd / expectedGray).toBeGreaterThan(0.85);
    expect(logStd / expectedGray).toBeLessThan(1.15);
  });

  it('casts a dark shadow behind gas and enhances behind fluid', () => {
    const base = createCase(12);
    const c = plainScene(base, {
      gas: [{ centre: { x: 1.8, z: 3.2 }, radiusX: 0.8, radiusZ: 0.3, angle: 0.5 }],
      fluid: [{ kind: 'cyst', centre: { x: -1.8, z: 3.2 }, radiusX: 0.8, radiusZ: 0.8, angle: 0 }],
    });
    const img = renderer.render(c, { width: 256, height: 256, diagnostics: true });
    const { ranges, beams, tissue, gray, beamEnd } = img.polar!;
    const behind = (cls: TissueClass): { inside: number; outside: number } => {
      let sIn = 0;
      let nIn = 0;
      let sOut = 0;
      let nOut = 0;
      const hit = new Int32Array(beams).fill(-1);
      for (let b = 0; b < beams; b++) {
        for (let k = 0; k < ranges; k++) {
          if (tissue[b * ranges + k] === cls) {
            hit[b] = k;
            break;
          }
        }
      }
      const lastHit = Math.max(...hit);
      for (let b = 0; b < beams; b++) {
        // Past the far side of the pocket (its deepest first hit plus its size), 1.2 cm deep.
        const k0 = lastHit + Math.round(2 / img.polar!.rangeStepCm);
        const k1 = k0 + Math.round(1.2 / img.polar!.rangeStepCm);
        if (k1 >= beamEnd[b]!) continue;
        let s = 0;
        for (let k = k0; k < k1; k++) s += gray[b * ranges + k]!;
        const hitHere = hit[b]! >= 0;
        const far = hit.slice(Math.max(0, b - 12), b + 13).every((h) => h < 0);
        if (hitHere) {
          sIn += s;
          nIn += k1 - k0;
        } else if (far) {
          sOut += s;
          nOut += k1 - k0;
        }
      }
      return { inside: sIn / nIn, outside: sOut / nOut };
    };
    const gas = behind(TissueClass.gas);
    expect(gas.inside).toBeLessThan(0.5 * gas.outside);
    const fluid = behind(TissueClass.fluid);
    expect(fluid.inside).toBeGreaterThan(fluid.outside + 5);
  });

  it('moves slightly between cine frames: different bytes, still correlated, deterministic per frame', () => {
    const c = createCase(13);
    const f0 = renderer.render(c, { width: SIZE, height: SIZE, frame: 0 });
    const f1 = renderer.render(c, { width: SIZE, height: SIZE, frame: 1 });
    const f20 = renderer.render(c, { width: SIZE, height: SIZE, frame: 20 });
    const f1again = renderer.render(c, { width: SIZE, height: SIZE, frame: 1 });
    expect(Buffer.from(f1again.pixels).equals(Buffer.from(f1.pixels))).toBe(true);
    expect(Buffer.from(f1.pixels).equals(Buffer.from(f0.pixels))).toBe(false);
    const r1 = correlation(f0.pixels, f1.pixels, f0.fanMask);
    const r20 = correlation(f0.pixels, f20.pixels, f0.fanMask);
    expect(r1).toBeGreaterThan(0.6);
    expect(r1).toBeLessThan(0.995);
    expect(r20).toBeGreaterThan(0.3);
    expect(r20).toBeLessThan(r1);
    expect(f20.pose).not.toEqual(f0.pose);
  });

  it('refuses bad sizes and frames with MYO_ERR_PHANTOM_PARAMS', () => {
    const c = createCase(1);
    const bad: { width: number; height: number; frame?: number }[] = [
      { width: 8, height: 256 },
      { width: 256, height: 5000 },
      { width: 100.5, height: 100 },
      { width: 128, height: 128, frame: -1 },
      { width: 128, height: 128, frame: 1.5 },
    ];
    for (const options of bad) {
      expect(() => renderer.render(c, options)).toThrow(expect.objectContaining({ code: 'MYO_ERR_PHANTOM_PARAMS' }));
    }
  });

  it('renders non-square sizes with the same geometry rules', () => {
    const img: BModeImage = renderer.render(createCase(14), { width: 320, height: 200 });
    expect(img.layout.apexX).toBe(160);
    expect(img.layout.outerRadiusPx).toBeCloseTo(0.97 * 200, 6);
    expect(count(img.fanMask)).toBeGreaterThan(0.4 * 320 * 200);
  });
});
