import { NoiseField } from './noise-field.js';
import type { Harmonic, PhantomScene, ScenePoint, TissueSample, UterusShape } from './types.js';
import { TissueClass } from './types.js';

/**
 * Scene geometry: answers "what tissue is at (x, z)?" for any renderer. The uterus is described in its own curved
 * frame (u along the axis, v across it); everything that depends on u alone (serosa, cavity, tumour front,
 * adenomyosis extent) is tabulated once, so classifying a point costs a rotation, a table lerp and a few compares.
 */

const TABLE_SIZE = 512;
/** Thinnest myometrium the cavity may leave (cm), so a depth ratio always has a wall to refer to. */
export const MIN_WALL_CM = 0.45;
/** The invasion front occupies the central part of the tumour's length, where it fills the full stripe. */
const INVASION_SPAN = 0.85;

/** Which mask a point belongs to. */
export const MaskRegion = { none: 0, endometrium: 1, myometrium: 2, tumour: 3 } as const;
export type MaskRegion = (typeof MaskRegion)[keyof typeof MaskRegion];

/** Per-class defaults: impedance (MRayl), attenuation (dB/cm/MHz), scatterer density. */
const IMPEDANCE = [1.45, 1.63, 1.6, 1.58, 1.72, 1.52, 0.0004, 1.62] as const;
const ATTENUATION = [0.6, 0.55, 0.5, 0.6, 1.0, 0.005, 4, 0.6] as const;
const DENSITY = [1, 1, 1, 1, 1, 0.03, 0.3, 1] as const;

/** The uterus' walls at one position u along its axis (local frame, cm). */
export interface WallProfile {
  /** Anterior and posterior serosa (v). */
  readonly serosaAnterior: number;
  readonly serosaPosterior: number;
  /** Cavity centre line and endometrial half thickness. */
  readonly cavity: number;
  readonly endometriumHalf: number;
  /** Myometrial thickness between junction and serosa. */
  readonly myometriumAnterior: number;
  readonly myometriumPosterior: number;
  /** Invasion beyond the junction (cm) on each wall; 0 where the tumour does not invade. */
  readonly invasionAnterior: number;
  readonly invasionPosterior: number;
}

/** An ellipse flattened for quick point tests: centre, rotation, inverse squared radii, bounding radius^2. */
interface PackedEllipse {
  readonly cx: number;
  readonly cz: number;
  readonly cos: number;
  readonly sin: number;
  readonly irx2: number;
  readonly irz2: number;
  readonly bound2: number;
}

function packEllipse(centre: ScenePoint, rx: number, rz: number, angle: number): PackedEllipse {
  const r = Math.max(rx, rz);
  return {
    cx: centre.x,
    cz: centre.z,
    cos: Math.cos(angle),
    sin: Math.sin(angle),
    irx2: 1 / (rx * rx),
    irz2: 1 / (rz * rz),
    bound2: r * r,
  };
}

/** Normalised squared radius of (x, z) in the ellipse (< 1 inside), or 2 when clearly outside. */
function ellipseQ(e: PackedEllipse, x: number, z: number): number {
  const dx = x - e.cx;
  const dz = z - e.cz;
  if (dx * dx + dz * dz > e.bound2) return 2;
  const lx = dx * e.cos + dz * e.sin;
  const lz = -dx * e.sin + dz * e.cos;
  return lx * lx * e.irx2 + lz * lz * e.irz2;
}

export function harmonicSum(terms: readonly Harmonic[], t: number): number {
  let s = 0;
  for (const h of terms) s += h.amplitude * Math.sin(h.k * Math.PI * t + h.phase);
  return s;
}

function smoothstep(x: number): number {
  const t = x < 0 ? 0 : x > 1 ? 1 : x;
  return t * t * (3 - 2 * t);
}

/** Anterior (+v) and posterior (-v) serosa of the uterus at position u along its axis (local frame, cm). */
export function serosaAt(ut: UterusShape, u: number): { anterior: number; posterior: number } {
  const t = u / ut.halfLength;
  const g = Math.pow(Math.max(0, 1 - Math.pow(Math.abs(t), ut.squareness)), 1 / ut.squareness);
  const half = ut.halfThickness * g * (1 - ut.cervixTaper * smoothstep(-t));
  return {
    anterior: half * (1 + harmonicSum(ut.anteriorOutline, t)),
    posterior: -half * (1 + harmonicSum(ut.posteriorOutline, t)),
  };
}

/** Scene point of uterus-local (u, v). */
export function uterusToScene(ut: UterusShape, u: number, v: number): ScenePoint {
  const c = Math.cos(ut.axisAngle);
  const s = Math.sin(ut.axisAngle);
  const vb = v + ut.flexion * u * u;
  return { x: ut.centre.x + u * c - vb * s, z: ut.centre.z + u * s + vb * c };
}

/** The serosal outline as scene points (anterior then posterior, `count` each), straight from the shape. */
export function uterusOutline(ut: UterusShape, count = 64): ScenePoint[] {
  const a = ut.halfLength;
  const pts: ScenePoint[] = [];
  for (const anterior of [true, false]) {
    for (let k = 0; k < count; k++) {
      const u = -a + (2 * a * k) / (count - 1);
      const s = serosaAt(ut, u);
      pts.push(uterusToScene(ut, u, anterior ? s.anterior : s.posterior));
    }
  }
  return pts;
}

function at(table: Float64Array, i: number): number {
  return table[i] ?? 0;
}

export class SceneSampler {
  readonly scene: PhantomScene;
  readonly #cx: number;
  readonly #cz: number;
  readonly #cos: number;
  readonly #sin: number;
  readonly #flex: number;
  readonly #uMin: number;
  readonly #step: number;
  readonly #invStep: number;
  readonly #top = new Float64Array(TABLE_SIZE);
  readonly #bot = new Float64Array(TABLE_SIZE);
  readonly #cav = new Float64Array(TABLE_SIZE);
  readonly #endo = new Float64Array(TABLE_SIZE);
  readonly #tumOcc = new Float64Array(TABLE_SIZE);
  readonly #tumA = new Float64Array(TABLE_SIZE);
  readonly #tumP = new Float64Array(TABLE_SIZE);
  readonly #fluid = new Float64Array(TABLE_SIZE);
  readonly #adeno = new Float64Array(TABLE_SIZE);
  readonly #hasTumour: boolean;
  readonly #hasFluid: boolean;
  readonly #adenoSign: number;
  readonly #fibroids: PackedEllipse[];
  readonly #fibroidEcho: Float64Array;
  readonly #fibroidAtt: Float64Array;
  readonly #fibroidCalc: Uint8Array;
  readonly #fibroidTex: NoiseField[];
  readonly #fluidPockets: PackedEllipse[];
  readonly #gas: PackedEllipse[];
  readonly #bgEcho: number;
  readonly #bgHet: number;
  readonly #endoEcho: number;
  readonly #layering: number;
  readonly #haloWidth: number;
  readonly #haloContrast: number;
  readonly #tumEcho: number;
  readonly #tumHet: number;
  readonly #adenoStrength: number;
  readonly #adenoCysts: number;
  readonly #bgCoarse: NoiseField;
  readonly #bgFine: NoiseField;
  readonly #myoTex: NoiseField;
  // Tumour and adenomyosis textures exist only when the scene has them (hashing a field is not free).
  readonly #tumTex: NoiseField | null;
  readonly #tumCoarse: NoiseField | null;
  readonly #adenoTex: NoiseField | null;
  readonly #adenoCyst: NoiseField | null;

  // Scratch written by #classify for #properties (avoids returning objects from the hot path).
  #dv = 0;
  #eh = 0;
  #inUterus = false;
  #fibroid = -1;
  #fq = 0;

  constructor(scene: PhantomScene) {
    this.scene = scene;
    const ut = scene.uterus;
    const en = scene.endometrium;
    this.#cx = ut.centre.x;
    this.#cz = ut.centre.z;
    this.#cos = Math.cos(ut.axisAngle);
    this.#sin = Math.sin(ut.axisAngle);
    this.#flex = ut.flexion;
    const a = ut.halfLength;
    this.#uMin = -a;
    this.#step = (2 * a) / (TABLE_SIZE - 1);
    this.#invStep = 1 / this.#step;

    const uF = en.fundalEnd * a;
    const uO = en.internalOs * a;
    for (let i = 0; i < TABLE_SIZE; i++) {
      const u = this.#uMin + i * this.#step;
      const t = u / a;
      const g = Math.pow(Math.max(0, 1 - Math.pow(Math.abs(t), ut.squareness)), 1 / ut.squareness);
      const serosa = serosaAt(ut, u);
      const top = serosa.anterior;
      const bot = serosa.posterior;
      const cav = en.offset * g;
      let eh = 0;
      if (u > uO && u < uF) {
        const s = (u - uO) / (uF - uO);
        eh = (en.thickness / 2) * Math.pow(4 * s * (1 - s), 0.6) * (1 + harmonicSum(en.outline, t));
      }
      // The cervical canal continues the cavity as a thin echogenic line.
      if (u > -0.88 * a && u <= uO + 0.2) eh = Math.max(eh, 0.03);
      eh = Math.max(0, Math.min(eh, top - cav - MIN_WALL_CM, cav - bot - MIN_WALL_CM));
      this.#top[i] = top;
      this.#bot[i] = bot;
      this.#cav[i] = cav;
      this.#endo[i] = eh;
    }

    const tumour = scene.tumour;
    this.#hasTumour = tumour !== null;
    if (tumour !== null) {
      const anteriorMain = tumour.wall === 'anterior';
      const main = new Float64Array(TABLE_SIZE);
      const other = new Float64Array(TABLE_SIZE);
      let maxMain = 0;
      let maxOther = 0;
      for (let i = 0; i < TABLE_SIZE; i++) {
        const u = this.#uMin + i * this.#step;
        const tt = (u - tumour.centreU) / tumour.halfLength;
        if (tt <= -1 || tt >= 1) continue;
        const eh = at(this.#endo, i);
        this.#tumOcc[i] = eh * Math.min(1, (1 - tt * tt) * 4);
        const s = tt / INVASION_SPAN;
        if (s <= -1 || s >= 1) continue;
        const base = Math.pow(1 - s * s, 1.5) * (1 + tumour.peak * s);
        const pm = Math.max(0, base * (1 + harmonicSum(tumour.irregularity, s)));
        const po = Math.pow(1 - s * s, 2);
        main[i] = pm;
        other[i] = po;
        maxMain = Math.max(maxMain, pm);
        maxOther = Math.max(maxOther, po);
      }
      // Normalise so the deepest point of the front sits exactly at depthRatio of the local wall.
      for (let i = 0; i < TABLE_SIZE; i++) {
        const top = at(this.#top, i);
        const bot = at(this.#bot, i);
        const cav = at(this.#cav, i);
        const eh = at(this.#endo, i);
        const myoA = top - cav - eh;
        const myoP = cav - eh - bot;
        const m = maxMain > 0 ? at(main, i) / maxMain : 0;
        const o = maxOther > 0 ? at(other, i) / maxOther : 0;
        const invMain = tumour.depthRatio * m;
        const invOther = tumour.oppositeRatio * o;
        this.#tumA[i] = (anteriorMain ? invMain : invOther) * myoA;
        this.#tumP[i] = (anteriorMain ? invOther : invMain) * myoP;
      }
    }

    const fluid = en.cavityFluid;
    this.#hasFluid = fluid !== null;
    if (fluid !== null) {
      for (let i = 0; i < TABLE_SIZE; i++) {
        const u = this.#uMin + i * this.#step;
        const tt = (u - fluid.centreU) / fluid.halfLength;
        const w = 1 - tt * tt;
        if (w > 0) this.#fluid[i] = Math.min((fluid.thickness / 2) * Math.sqrt(w), at(this.#endo, i) * 0.85);
      }
    }

    const ad = scene.adenomyosis;
    this.#adenoSign = ad === null ? 0 : ad.wall === 'anterior' ? 1 : -1;
    if (ad !== null) {
      for (let i = 0; i < TABLE_SIZE; i++) {
        const u = this.#uMin + i * this.#step;
        const tt = (u - ad.centreU) / ad.halfLength;
        const w = 1 - tt * tt;
        if (w > 0) this.#adeno[i] = Math.sqrt(w);
      }
    }

    this.#fibroids = scene.fibroids.map((f) => packEllipse(f.centre, f.radiusX, f.radiusZ, f.angle));
    this.#fibroidEcho = Float64Array.from(scene.fibroids, (f) => f.echogenicity);
    this.#fibroidAtt = Float64Array.from(scene.fibroids, (f) => f.attenuation);
    this.#fibroidCalc = Uint8Array.from(scene.fibroids, (f) => (f.calcified ? 1 : 0));
    this.#fibroidTex = scene.fibroids.map((f) => new NoiseField(f.textureSeed, 0.25));
    this.#fluidPockets = scene.fluid.map((f) => packEllipse(f.centre, f.radiusX, f.radiusZ, f.angle));
    this.#gas = scene.gas.map((g) => packEllipse(g.centre, g.radiusX, g.radiusZ, g.angle));

    this.#bgEcho = scene.background.echogenicity;
    this.#bgHet = scene.background.heterogeneity;
    this.#endoEcho = en.echogenicity;
    this.#layering = en.layering;
    this.#haloWidth = en.haloWidth;
    this.#haloContrast = en.haloContrast;
    this.#tumEcho = tumour?.echogenicity ?? 1;
    this.#tumHet = tumour?.heterogeneity ?? 0;
    this.#adenoStrength = ad?.strength ?? 0;
    this.#adenoCysts = ad?.cysts ?? 0;
    const bgSeed = scene.background.textureSeed;
    this.#bgCoarse = new NoiseField(bgSeed, 0.55);
    this.#bgFine = new NoiseField(bgSeed ^ 0x51ed27, 0.16);
    this.#myoTex = new NoiseField(scene.textureSeed, 0.3);
    this.#tumTex = tumour === null ? null : new NoiseField(tumour.textureSeed, 0.11);
    this.#tumCoarse = tumour === null ? null : new NoiseField(tumour.textureSeed ^ 0x2545f491, 0.35);
    this.#adenoTex = ad === null ? null : new NoiseField(ad.textureSeed, 0.09);
    this.#adenoCyst = ad === null ? null : new NoiseField(ad.textureSeed ^ 0x6a09e667, 0.07);
  }

  /** Tissue class at (x, z). */
  classify(x: number, z: number): TissueClass {
    return this.#classify(x, z);
  }

  /** Class and properties at (x, z), written into `out`. */
  sample(x: number, z: number, out: TissueSample): void {
    const cls = this.#classify(x, z);
    out.cls = cls;
    out.impedance = IMPEDANCE[cls];
    out.attenuation = ATTENUATION[cls];
    out.density = DENSITY[cls];
    this.#properties(cls, x, z, out);
  }

  /**
   * Mask membership: endometrium, tumour, or myometrium, the uterine wall (inside the serosa and outside the
   * endometrium, tumour and cavity fluid: adenomyosis and intramural fibroids included).
   */
  maskRegion(x: number, z: number): MaskRegion {
    const cls = this.#classify(x, z);
    if (cls === TissueClass.tumour) return MaskRegion.tumour;
    if (cls === TissueClass.endometrium) return MaskRegion.endometrium;
    if (!this.#inUterus || cls === TissueClass.fluid) return MaskRegion.none;
    return MaskRegion.myometrium;
  }

  /** Whether (x, z) lies inside the serosa. */
  insideUterus(x: number, z: number): boolean {
    this.#classify(x, z);
    return this.#inUterus;
  }

  /** Uterus-local coordinates (u along the axis, v across it, flexion removed) of a scene point. */
  toLocal(x: number, z: number): { u: number; v: number } {
    const dx = x - this.#cx;
    const dz = z - this.#cz;
    const u = dx * this.#cos + dz * this.#sin;
    return { u, v: -dx * this.#sin + dz * this.#cos - this.#flex * u * u };
  }

  /** Scene point of uterus-local (u, v). */
  toScene(u: number, v: number): ScenePoint {
    const vb = v + this.#flex * u * u;
    return { x: this.#cx + u * this.#cos - vb * this.#sin, z: this.#cz + u * this.#sin + vb * this.#cos };
  }

  /** The walls at position u along the axis (interpolated from the tables). */
  wallAt(u: number): WallProfile {
    const fu = Math.min(Math.max((u - this.#uMin) * this.#invStep, 0), TABLE_SIZE - 1.000001);
    const i = Math.floor(fu);
    const f = fu - i;
    const lerp = (t: Float64Array): number => at(t, i) + (at(t, i + 1) - at(t, i)) * f;
    const top = lerp(this.#top);
    const bot = lerp(this.#bot);
    const cav = lerp(this.#cav);
    const eh = lerp(this.#endo);
    return {
      serosaAnterior: top,
      serosaPosterior: bot,
      cavity: cav,
      endometriumHalf: eh,
      myometriumAnterior: top - cav - eh,
      myometriumPosterior: cav - eh - bot,
      invasionAnterior: lerp(this.#tumA),
      invasionPosterior: lerp(this.#tumP),
    };
  }

  /** Tabulated positions u along the axis (the table nodes), for callers that scan the uterus. */
  axisSamples(): Float64Array {
    const out = new Float64Array(TABLE_SIZE);
    for (let i = 0; i < TABLE_SIZE; i++) out[i] = this.#uMin + i * this.#step;
    return out;
  }

  /** The serosal outline as scene points (anterior then posterior, `count` each). */
  outline(count = 64): ScenePoint[] {
    return uterusOutline(this.scene.uterus, count);
  }

  #classify(x: number, z: number): TissueClass {
    this.#inUterus = false;
    this.#fibroid = -1;
    const dx = x - this.#cx;
    const dz = z - this.#cz;
    const u = dx * this.#cos + dz * this.#sin;
    const v = -dx * this.#sin + dz * this.#cos - this.#flex * u * u;
    const fu = (u - this.#uMin) * this.#invStep;
    if (fu >= 0 && fu < TABLE_SIZE - 1) {
      const i = fu | 0;
      const f = fu - i;
      const top = at(this.#top, i) + (at(this.#top, i + 1) - at(this.#top, i)) * f;
      const bot = at(this.#bot, i) + (at(this.#bot, i + 1) - at(this.#bot, i)) * f;
      if (v < top && v > bot) {
        this.#inUterus = true;
        const cav = at(this.#cav, i) + (at(this.#cav, i + 1) - at(this.#cav, i)) * f;
        const eh = at(this.#endo, i) + (at(this.#endo, i + 1) - at(this.#endo, i)) * f;
        const dv = v - cav;
        this.#dv = dv;
        this.#eh = eh;
        const adv = dv < 0 ? -dv : dv;
        if (this.#hasTumour) {
          const occ = at(this.#tumOcc, i) + (at(this.#tumOcc, i + 1) - at(this.#tumOcc, i)) * f;
          if (adv < occ) return TissueClass.tumour;
          if (dv >= eh) {
            const ia = at(this.#tumA, i) + (at(this.#tumA, i + 1) - at(this.#tumA, i)) * f;
            if (ia > 0 && dv < eh + ia) return TissueClass.tumour;
          } else if (dv <= -eh) {
            const ip = at(this.#tumP, i) + (at(this.#tumP, i + 1) - at(this.#tumP, i)) * f;
            if (ip > 0 && dv > -eh - ip) return TissueClass.tumour;
          }
        }
        if (adv < eh) {
          if (this.#hasFluid) {
            const fh = at(this.#fluid, i) + (at(this.#fluid, i + 1) - at(this.#fluid, i)) * f;
            if (adv < fh) return TissueClass.fluid;
          }
          return TissueClass.endometrium;
        }
        if (this.#inFibroid(x, z)) return TissueClass.fibroid;
        if (this.#adenoSign !== 0) {
          const w = at(this.#adeno, i) + (at(this.#adeno, i + 1) - at(this.#adeno, i)) * f;
          if (w > 0) {
            const anterior = this.#adenoSign > 0;
            const d = anterior ? dv - eh : -dv - eh;
            const myo = anterior ? top - cav - eh : cav - eh - bot;
            if (d > 0.06 && d < myo * (0.15 + 0.75 * w)) return TissueClass.adenomyosis;
          }
        }
        return TissueClass.myometrium;
      }
    }
    for (const g of this.#gas) {
      if (ellipseQ(g, x, z) < 1) return TissueClass.gas;
    }
    for (const p of this.#fluidPockets) {
      if (ellipseQ(p, x, z) < 1) return TissueClass.fluid;
    }
    if (this.#inFibroid(x, z)) return TissueClass.fibroid;
    return TissueClass.background;
  }

  #inFibroid(x: number, z: number): boolean {
    const list = this.#fibroids;
    for (let k = 0; k < list.length; k++) {
      const e = list[k];
      if (e === undefined) continue;
      const q = ellipseQ(e, x, z);
      if (q < 1) {
        this.#fibroid = k;
        this.#fq = q;
        return true;
      }
    }
    return false;
  }

  /** Echo (with texture) and the per-point deviations from the class defaults. */
  #properties(cls: TissueClass, x: number, z: number, out: TissueSample): void {
    switch (cls) {
      case TissueClass.background: {
        const n1 = this.#bgCoarse.at(x, z);
        const n2 = this.#bgFine.at(x, z);
        const het = this.#bgHet;
        // Log-normal modulation: pelvic fat, vessels and bowel wall give patchy, high-contrast texture.
        out.echo = this.#bgEcho * Math.exp(het * (2.6 * (n1 - 0.5) + 1.6 * (n2 - 0.5)));
        out.texture = n1;
        return;
      }
      case TissueClass.myometrium: {
        const n = this.#myoTex.at(x, z);
        let e = 1 + 0.24 * (n - 0.5);
        // Subendometrial halo: the inner myometrium (junctional zone) is darker.
        const d = this.#dv >= 0 ? this.#dv - this.#eh : -this.#dv - this.#eh;
        const hw = this.#haloWidth;
        if (d < hw) {
          const r = d / hw;
          e *= 1 - this.#haloContrast * (1 - r * r);
        }
        out.echo = e;
        out.texture = n;
        return;
      }
      case TissueClass.endometrium: {
        const w = (this.#dv < 0 ? -this.#dv : this.#dv) / (this.#eh > 1e-6 ? this.#eh : 1e-6);
        // Trilaminar pattern: bright central and basal lines around a darker functional layer.
        const band = w > 0.14 && w < 0.8 ? 1 : 0;
        out.echo = this.#endoEcho * (1 - 0.62 * this.#layering * band);
        out.texture = w;
        return;
      }
      case TissueClass.tumour: {
        const n = this.#tumTex?.at(x, z) ?? 0.5;
        const c = this.#tumCoarse?.at(x, z) ?? 0.5;
        const het = this.#tumHet;
        let e = this.#tumEcho * (1 + het * (1.3 * (n - 0.5) + 1.1 * (c - 0.5)));
        // Necrotic / cystic spots in heterogeneous tumours.
        if (het > 0.45 && n > 0.86 && c > 0.55) e *= 0.15;
        out.echo = e < 0.05 ? 0.05 : e;
        out.texture = n;
        return;
      }
      case TissueClass.fibroid: {
        const k = this.#fibroid;
        const q = this.#fq;
        const tex = this.#fibroidTex[k];
        const n = tex === undefined ? 0.5 : tex.at(x, z);
        const calcified = this.#fibroidCalc[k] === 1;
        // Whorled texture: concentric bands broken up by noise.
        let e = (this.#fibroidEcho[k] ?? 0.7) * (0.7 + 0.6 * (0.5 + 0.5 * Math.sin(14 * q + 7 * n)));
        if (calcified && q > 0.72) e *= 5;
        out.echo = e;
        out.attenuation = this.#fibroidAtt[k] ?? 1;
        if (calcified) out.impedance = q > 0.72 ? 4.5 : 2.2;
        out.texture = n;
        return;
      }
      case TissueClass.adenomyosis: {
        const n = this.#adenoTex?.at(x, z) ?? 0.5;
        const s = this.#adenoStrength;
        let e = 1 + s * 1.5 * (n - 0.5);
        if ((this.#adenoCyst?.at(x, z) ?? 0) > 1 - 0.14 * this.#adenoCysts) e = 0.08;
        out.echo = e < 0.08 ? 0.08 : e;
        // Patchy extra attenuation casts the thin "venetian blind" streaks behind adenomyosis.
        out.attenuation = 0.55 + s * 2.2 * (n > 0.6 ? n - 0.6 : 0);
        out.texture = n;
        return;
      }
      case TissueClass.fluid:
        out.echo = 0.012;
        out.texture = 0;
        return;
      case TissueClass.gas:
        // Seen only through the transmission floor: strong, sparse reverberation echoes fading with depth.
        out.echo = 60;
        out.texture = 1;
        return;
    }
  }
}
