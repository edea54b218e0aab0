import { describe, expect, it } from 'vitest';
import { createCase } from '../../../src/capture/phantom/sample-case.js';
import { MaskRegion, SceneSampler } from '../../../src/capture/phantom/scene.js';
import type { PhantomCase, TissueSample } from '../../../src/capture/phantom/types.js';
import { TissueClass } from '../../../src/capture/phantom/types.js';

/** Measures the invasion depth ratio by walking outward from the junction along v, classifying each step. */
function measuredDepthRatio(c: PhantomCase): number {
  const sampler = new SceneSampler(c.scene);
  const t = c.scene.tumour;
  if (t === null) return 0;
  let best = 0;
  for (const u of sampler.axisSamples()) {
    if (Math.abs(u - t.centreU) >= t.halfLength) continue;
    const w = sampler.wallAt(u);
    for (const sign of [1, -1]) {
      const junction = w.cavity + sign * w.endometriumHalf;
      const myo = sign > 0 ? w.myometriumAnterior : w.myometriumPosterior;
      let depth = 0;
      for (let d = 0.002; d < myo; d += 0.002) {
        const p = sampler.toScene(u, junction + sign * d);
        if (sampler.classify(p.x, p.z) !== TissueClass.tumour) break;
        depth = d;
      }
      best = Math.max(best, depth / myo);
    }
  }
  return best;
}

function findCase(predicate: (c: PhantomCase) => boolean, options = {}): PhantomCase {
  for (let seed = 1; seed < 500; seed++) {
    const c = createCase(seed, options);
    if (predicate(c)) return c;
  }
  throw new Error('no case matches');
}

describe('SceneSampler geometry', () => {
  it('builds invasion to exactly the drawn depth ratio of the local myometrial thickness', () => {
    for (const seed of [3, 8, 21]) {
      const deep = createCase(seed, { label: 1 });
      expect(measuredDepthRatio(deep)).toBeCloseTo(deep.depthRatio, 1);
      expect(Math.abs(measuredDepthRatio(deep) - deep.depthRatio)).toBeLessThan(0.02);
    }
    const superficial = findCase((c) => c.kind === 'superficial', { label: 0 });
    expect(Math.abs(measuredDepthRatio(superficial) - superficial.depthRatio)).toBeLessThan(0.02);
    expect(measuredDepthRatio(superficial)).toBeLessThan(superficial.threshold);
  });

  it('keeps a confined tumour inside the endometrium and a healthy scene free of tumour', () => {
    const confined = findCase((c) => c.kind === 'confined', { label: 0 });
    expect(confined.scene.tumour).not.toBeNull();
    expect(measuredDepthRatio(confined)).toBe(0);

    const healthy = findCase((c) => c.kind === 'healthy', { label: 0 });
    expect(healthy.scene.tumour).toBeNull();
    const sampler = new SceneSampler(healthy.scene);
    let tumour = 0;
    let endometrium = 0;
    for (let z = 0.5; z < 10; z += 0.05) {
      for (let x = -5; x < 5; x += 0.05) {
        const cls = sampler.classify(x, z);
        if (cls === TissueClass.tumour) tumour += 1;
        if (cls === TissueClass.endometrium) endometrium += 1;
      }
    }
    expect(tumour).toBe(0);
    expect(endometrium).toBeGreaterThan(0);
  });

  it('maps the uterus frame both ways and reports walls that add up', () => {
    const c = createCase(4);
    const sampler = new SceneSampler(c.scene);
    const p = sampler.toScene(0.7, -0.3);
    const back = sampler.toLocal(p.x, p.z);
    expect(back.u).toBeCloseTo(0.7, 9);
    expect(back.v).toBeCloseTo(-0.3, 9);
    const w = sampler.wallAt(0);
    expect(w.serosaAnterior - w.serosaPosterior).toBeCloseTo(
      w.myometriumAnterior + w.myometriumPosterior + 2 * w.endometriumHalf,
      9,
    );
    expect(w.myometriumAnterior).toBeGreaterThan(0.4);
    expect(w.myometriumPosterior).toBeGreaterThan(0.4);
    // Centre line of the cavity is endometrium (or tumour / cavity fluid), just inside the serosa is myometrium.
    const centre = sampler.toScene(0, w.cavity);
    expect([TissueClass.endometrium, TissueClass.tumour, TissueClass.fluid]).toContain(sampler.classify(centre.x, centre.z));
    const wall = sampler.toScene(0, w.serosaAnterior - 0.02);
    expect(sampler.insideUterus(wall.x, wall.z)).toBe(true);
    const outside = sampler.toScene(0, w.serosaAnterior + 0.05);
    expect(sampler.insideUterus(outside.x, outside.z)).toBe(false);
  });

  it('has every tissue class somewhere across cases, with plausible properties', () => {
    const seen = new Map<TissueClass, { echo: number; att: number; n: number }>();
    const s: TissueSample = { cls: 0, echo: 0, density: 0, attenuation: 0, impedance: 0, texture: 0 };
    for (let seed = 1; seed <= 40; seed++) {
      const sampler = new SceneSampler(createCase(seed).scene);
      for (let z = 1; z < 9; z += 0.1) {
        for (let x = -4; x < 4; x += 0.1) {
          sampler.sample(x, z, s);
          const e = seen.get(s.cls) ?? { echo: 0, att: 0, n: 0 };
          seen.set(s.cls, { echo: e.echo + s.echo, att: e.att + s.attenuation, n: e.n + 1 });
        }
      }
    }
    for (const cls of Object.values(TissueClass)) expect(seen.has(cls), `class ${cls}`).toBe(true);
    const mean = (cls: TissueClass, key: 'echo' | 'att'): number => {
      const e = seen.get(cls);
      return e === undefined ? Number.NaN : e[key] / e.n;
    };
    expect(mean(TissueClass.endometrium, 'echo')).toBeGreaterThan(1.5 * mean(TissueClass.myometrium, 'echo'));
    expect(mean(TissueClass.fluid, 'echo')).toBeLessThan(0.05);
    expect(mean(TissueClass.fluid, 'att')).toBeLessThan(0.05);
    expect(mean(TissueClass.gas, 'att')).toBeGreaterThan(2);
    expect(mean(TissueClass.fibroid, 'att')).toBeGreaterThan(mean(TissueClass.myometrium, 'att'));
  });

  it('derives mask regions from the classes', () => {
    const c = createCase(6, { label: 1 });
    const sampler = new SceneSampler(c.scene);
    for (let z = 1; z < 8; z += 0.07) {
      for (let x = -4; x < 4; x += 0.07) {
        const cls = sampler.classify(x, z);
        const region = sampler.maskRegion(x, z);
        if (cls === TissueClass.tumour) expect(region).toBe(MaskRegion.tumour);
        else if (cls === TissueClass.endometrium) expect(region).toBe(MaskRegion.endometrium);
        else if (cls === TissueClass.myometrium || cls === TissueClass.adenomyosis) expect(region).toBe(MaskRegion.myometrium);
        else if (cls === TissueClass.background || cls === TissueClass.gas) expect(region).toBe(MaskRegion.none);
      }
    }
  });
});
