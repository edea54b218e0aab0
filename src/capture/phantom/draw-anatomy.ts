import { FAN_RADIUS_FRACTION, probePose, sceneToProbe } from './fan-geometry.js';
import type { Rng } from './rng.js';
import { SceneSampler, uterusOutline } from './scene.js';
import type {
  Acquisition,
  AdenomyosisRegion,
  EndometriumShape,
  FibroidShape,
  FluidPocket,
  GasPocket,
  Harmonic,
  PhantomScene,
  ScenePoint,
  TumourShape,
  UterineWall,
  UterusShape,
  UterusVersion,
} from './types.js';

/**
 * Draws the anatomy of one case: a uterus that fits the field of view, its endometrium, the planned tumour, and
 * confounders (fibroids, adenomyosis, fluid, bowel gas) drawn independently of the label so they cannot give it away.
 */

/** What the label logic asks of the anatomy. */
export interface TumourPlan {
  /** null: no tumour. Otherwise the invasion depth ratio (0 = confined to the endometrium). */
  readonly depthRatio: number | null;
}

/** Margin kept between the uterus and the edges of the view (cm), covering cine motion too. */
const VIEW_MARGIN_CM = 0.3;

export function drawScene(rng: Rng, acq: Acquisition, plan: TumourPlan): PhantomScene {
  const anatomy = rng.fork(1);
  const tumourRng = rng.fork(2);
  const confounders = rng.fork(3);
  const textures = rng.fork(4);

  const hasTumour = plan.depthRatio !== null;
  const endometrium = drawEndometrium(anatomy, hasTumour);
  const uterus = drawFittingUterus(anatomy, acq, endometrium);
  const base: PhantomScene = {
    uterus,
    endometrium,
    tumour: null,
    fibroids: [],
    fluid: [],
    gas: [],
    adenomyosis: null,
    background: {
      // Pelvic tissue around the uterus reads darker and calmer than the myometrium on TVUS, so the serosa (the
      // outer edge the depth ratio refers to) stays visible.
      echogenicity: textures.range(0.25, 0.5),
      heterogeneity: textures.range(0.25, 0.5),
      textureSeed: textures.uint32(),
    },
    textureSeed: textures.uint32(),
  };
  const tumour = plan.depthRatio === null ? null : drawTumour(tumourRng, uterus, endometrium, plan.depthRatio);
  const withTumour: PhantomScene = { ...base, tumour };
  const sampler = new SceneSampler(withTumour);
  const fibroids = drawFibroids(confounders.fork(1), sampler, uterus);
  const adenomyosis = confounders.chance(0.22) ? drawAdenomyosis(confounders.fork(2), uterus) : null;
  const fluid = drawFluid(confounders.fork(3), sampler, acq);
  const gas = drawGas(confounders.fork(4), sampler, acq, fluid);
  return { ...withTumour, fibroids, adenomyosis, fluid, gas };
}

function harmonics(rng: Rng, count: number, kLo: number, kHi: number, ampLo: number, ampHi: number): Harmonic[] {
  const out: Harmonic[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ k: rng.int(kLo, kHi + 1), amplitude: rng.range(ampLo, ampHi), phase: rng.range(0, 2 * Math.PI) });
  }
  return out;
}

function drawEndometrium(rng: Rng, hasTumour: boolean): EndometriumShape {
  // Carcinoma thickens the endometrium; healthy ones range from atrophic to secretory.
  const thickness = hasTumour ? rng.range(0.7, 1.8) : rng.range(0.2, 1.3);
  return {
    thickness,
    echogenicity: rng.range(2.4, 4.2),
    layering: hasTumour ? rng.range(0, 0.3) : rng.range(0, 1),
    offset: rng.range(-0.15, 0.15),
    fundalEnd: rng.range(0.62, 0.78),
    internalOs: rng.range(-0.5, -0.3),
    haloWidth: rng.range(0.1, 0.28),
    haloContrast: rng.range(0, 0.6),
    outline: harmonics(rng, 3, 3, 9, 0.01, 0.05),
    cavityFluid: rng.chance(0.15)
      ? { centreU: rng.range(-0.5, 1), halfLength: rng.range(0.5, 1.5), thickness: rng.range(0.08, 0.3) }
      : null,
  };
}

function drawUterus(rng: Rng, endometrium: EndometriumShape, acq: Acquisition, scale: number): UterusShape {
  const version = rng.weighted<UterusVersion>([
    ['anteverted', 0.6],
    ['retroverted', 0.25],
    ['axial', 0.15],
  ]);
  const mirrored = rng.chance(0.35);
  let axisAngle: number;
  if (version === 'anteverted') axisAngle = Math.PI + rng.range(-0.35, 0.3);
  else if (version === 'retroverted') axisAngle = rng.range(-0.15, 0.55);
  else axisAngle = Math.PI / 2 + rng.range(-0.45, 0.45);
  if (mirrored) axisAngle = Math.PI - axisAngle;
  // Mostly postmenopausal women: uterus 5-7 cm long, 2.6-4 cm thick, thicker where the endometrium needs room.
  const halfLength = rng.range(2.5, 3.6) * scale;
  const minHalf = endometrium.thickness / 2 + Math.abs(endometrium.offset) + 0.8;
  const halfThickness = Math.max(rng.range(1.2, 1.8) * scale, minHalf);
  // The probe sits in the anterior fornix: the uterus lies just beyond the face, across the upper half of the view.
  const centre = {
    x: rng.range(-1.2, 1.2),
    z: acq.probeRadiusCm + halfThickness + rng.range(0.5, 2.2),
  };
  const bend = rng.range(0.01, 0.06) * (version === 'retroverted' ? -1 : 1) * (mirrored ? -1 : 1);
  return {
    centre,
    axisAngle,
    halfLength,
    halfThickness,
    squareness: rng.range(2, 2.8),
    cervixTaper: rng.range(0.2, 0.45),
    flexion: bend,
    version,
    anteriorOutline: harmonics(rng, 3, 2, 6, 0.005, 0.03),
    posteriorOutline: harmonics(rng, 3, 2, 6, 0.005, 0.03),
  };
}

/** Redraws placement until the whole uterus is in view (shrinking it if the view is tight). */
function drawFittingUterus(rng: Rng, acq: Acquisition, endometrium: EndometriumShape): UterusShape {
  let scale = 1;
  for (let round = 0; round < 12; round++) {
    for (let attempt = 0; attempt < 40; attempt++) {
      const uterus = drawUterus(rng, endometrium, acq, scale);
      if (uterusOutline(uterus, 48).every((p) => inView(acq, p, VIEW_MARGIN_CM))) return uterus;
    }
    scale *= 0.93;
  }
  // Unreachable for the ranges drawn here; a deliberately small uterus in the middle of the view is the fallback.
  const uterus = drawUterus(rng, endometrium, acq, 0.5);
  return { ...uterus, centre: { x: 0, z: acq.probeRadiusCm + acq.depthCm / 2 } };
}

/**
 * Whether a scene point is visible (with `margin`) at the acquisition's tilt, in a square image: inside the sector,
 * between the probe face and the full depth, and inside the image width that clips wide sectors.
 */
export function inView(acq: Acquisition, p: ScenePoint, margin: number): boolean {
  const q = sceneToProbe(probePose(acq, 0), p.x, p.z);
  const rho = Math.hypot(q.x, q.z);
  const total = acq.probeRadiusCm + acq.depthCm;
  const half = (acq.sectorDeg * Math.PI) / 360;
  const halfWidth = (0.5 * total) / FAN_RADIUS_FRACTION;
  if (rho < acq.probeRadiusCm + margin || rho > total - margin) return false;
  if (Math.abs(q.x) > halfWidth - margin) return false;
  return Math.abs(Math.atan2(q.x, q.z)) < half - margin / Math.max(rho, 1);
}

function drawTumour(rng: Rng, uterus: UterusShape, endometrium: EndometriumShape, depthRatio: number): TumourShape {
  const a = uterus.halfLength;
  const uO = endometrium.internalOs * a;
  const uF = endometrium.fundalEnd * a;
  const cavity = uF - uO;
  const halfLength = rng.range(Math.min(0.6, cavity * 0.3), Math.min(1.8, cavity * 0.45));
  const centreU = rng.range(uO + 0.8 * halfLength, uF - 0.8 * halfLength);
  const wall: UterineWall = rng.chance(0.5) ? 'anterior' : 'posterior';
  const invaded = depthRatio > 0;
  return {
    centreU,
    halfLength,
    wall,
    depthRatio,
    oppositeRatio: invaded ? depthRatio * rng.range(0, 0.6) : 0,
    peak: rng.range(-0.4, 0.4),
    irregularity: invaded ? harmonics(rng, 3, 2, 7, 0.04, 0.12) : [],
    // Endometrial carcinoma is mostly hyperechoic and heterogeneous against the myometrium, some hypoechoic; a
    // tumour isoechoic to the wall would make its depth unreadable from the image, which no label can then fix.
    echogenicity: rng.chance(0.7) ? rng.range(1.7, 2.8) : rng.range(0.3, 0.55),
    heterogeneity: rng.range(0.35, 0.9),
    textureSeed: rng.uint32(),
  };
}

function drawFibroids(rng: Rng, sampler: SceneSampler, uterus: UterusShape): FibroidShape[] {
  const count = rng.weighted<number>([
    [0, 0.6],
    [1, 0.25],
    [2, 0.11],
    [3, 0.04],
  ]);
  const out: FibroidShape[] = [];
  const a = uterus.halfLength;
  for (let i = 0; i < count; i++) {
    const u = rng.range(-0.5 * a, 0.85 * a);
    const w = sampler.wallAt(u);
    const anterior = rng.chance(0.5);
    const myo = anterior ? w.myometriumAnterior : w.myometriumPosterior;
    const depth = w.endometriumHalf + rng.range(0.3, 0.9) * myo;
    const centre = sampler.toScene(u, w.cavity + (anterior ? depth : -depth));
    const r = rng.range(0.35, 1.1);
    // A calcified fibroid's dense shadow must not hide the tumour, or the label could not be read from the image.
    const calcified = rng.chance(0.15) && !shadowsPoints(centre, r * 1.15, tumourPoints(sampler));
    out.push({
      centre,
      radiusX: r * rng.range(0.85, 1.15),
      radiusZ: r * rng.range(0.85, 1.15),
      angle: rng.range(0, Math.PI),
      echogenicity: rng.range(0.3, 0.75),
      attenuation: calcified ? rng.range(6, 10) : rng.range(0.7, 1.3),
      calcified,
      textureSeed: rng.uint32(),
    });
  }
  return out;
}

function drawAdenomyosis(rng: Rng, uterus: UterusShape): AdenomyosisRegion {
  const a = uterus.halfLength;
  return {
    centreU: rng.range(-0.2 * a, 0.6 * a),
    halfLength: rng.range(0.8, 2),
    wall: rng.chance(0.6) ? 'posterior' : 'anterior',
    strength: rng.range(0.3, 0.9),
    cysts: rng.range(0, 1),
    textureSeed: rng.uint32(),
  };
}

/** True when an ellipse (sampled on its rim, grown by `margin`) stays clear of the uterus. */
function clearOfUterus(
  sampler: SceneSampler,
  c: ScenePoint,
  rx: number,
  rz: number,
  angle: number,
  margin: number,
): boolean {
  if (sampler.insideUterus(c.x, c.z)) return false;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  for (let k = 0; k < 24; k++) {
    const t = (2 * Math.PI * k) / 24;
    const lx = (rx + margin) * Math.cos(t);
    const lz = (rz + margin) * Math.sin(t);
    if (sampler.insideUterus(c.x + lx * cos - lz * sin, c.z + lx * sin + lz * cos)) return false;
  }
  return true;
}

function drawFluid(rng: Rng, sampler: SceneSampler, acq: Acquisition): FluidPocket[] {
  const out: FluidPocket[] = [];
  const ut = sampler.scene.uterus;
  const r0 = acq.probeRadiusCm;
  const place = (make: () => FluidPocket): void => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const p = make();
      if (clearOfUterus(sampler, p.centre, p.radiusX, p.radiusZ, p.angle, 0.15)) {
        out.push(p);
        return;
      }
    }
  };
  if (rng.chance(0.3)) {
    place(() => ({
      kind: 'bladder',
      centre: { x: rng.range(-2.5, 2.5), z: r0 + rng.range(0.6, 1.8) },
      radiusX: rng.range(1.2, 2.5),
      radiusZ: rng.range(0.4, 1.0),
      angle: rng.range(-0.3, 0.3),
    }));
  }
  if (rng.chance(0.25)) {
    const a = ut.halfLength;
    place(() => {
      const u = rng.range(-0.8 * a, -0.1 * a);
      const rz = rng.range(0.3, 0.8);
      const w = sampler.wallAt(u);
      return {
        kind: 'cul-de-sac',
        centre: sampler.toScene(u, w.serosaPosterior - rz - 0.2),
        radiusX: rng.range(0.8, 2.0),
        radiusZ: rz,
        angle: ut.axisAngle,
      };
    });
  }
  if (rng.chance(0.12)) {
    place(() => {
      const half = (acq.sectorDeg * Math.PI) / 360;
      const phi = rng.range(-half * 0.8, half * 0.8);
      const rho = r0 + rng.range(2, acq.depthCm * 0.8);
      const r = rng.range(0.6, 1.4);
      const centre = { x: rho * Math.sin(phi), z: rho * Math.cos(phi) };
      return { kind: 'cyst', centre, radiusX: r, radiusZ: r * rng.range(0.8, 1), angle: 0 };
    });
  }
  return out;
}

/** Bowel gas beside or beyond the uterus; never in front of it, or the shadow would hide the finding. */
function drawGas(rng: Rng, sampler: SceneSampler, acq: Acquisition, fluid: readonly FluidPocket[]): GasPocket[] {
  const count = rng.weighted<number>([
    [0, 0.45],
    [1, 0.35],
    [2, 0.2],
  ]);
  const out: GasPocket[] = [];
  const outline = sampler.outline(48);
  const r0 = acq.probeRadiusCm;
  const half = (acq.sectorDeg * Math.PI) / 360;
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const phi = rng.range(-half * 0.85, half * 0.85);
      // Bowel lies beyond the uterus or beside it, not against the probe.
      const rho = r0 + rng.range(Math.min(3.5, acq.depthCm * 0.5), acq.depthCm * 0.9);
      const g: GasPocket = {
        centre: { x: rho * Math.sin(phi), z: rho * Math.cos(phi) },
        radiusX: rng.range(0.5, 1.4),
        radiusZ: rng.range(0.18, 0.45),
        angle: phi + rng.range(-0.4, 0.4),
      };
      if (!clearOfUterus(sampler, g.centre, g.radiusX, g.radiusZ, g.angle, 0.25)) continue;
      const touchesFluid = fluid.some((f) => {
        const gap = Math.hypot(f.centre.x - g.centre.x, f.centre.z - g.centre.z);
        return gap < Math.max(f.radiusX, f.radiusZ) + g.radiusX;
      });
      if (touchesFluid) continue;
      if (shadowsUterus(g, outline)) continue;
      out.push(g);
      break;
    }
  }
  return out;
}

/** Whether any of `points` lies behind a round obstacle as seen from the apex (within its angular span). */
function shadowsPoints(centre: ScenePoint, radius: number, points: readonly ScenePoint[]): boolean {
  const rho = Math.hypot(centre.x, centre.z);
  const span = Math.atan2(radius + 0.3, rho);
  const phi = Math.atan2(centre.x, centre.z);
  return points.some((p) => Math.abs(Math.atan2(p.x, p.z) - phi) < span && Math.hypot(p.x, p.z) > rho - radius);
}

function shadowsUterus(g: GasPocket, outline: readonly ScenePoint[]): boolean {
  return shadowsPoints(g.centre, Math.max(g.radiusX, g.radiusZ), outline);
}

/** Points spread over the tumour (cavity line and both invasion fronts); none without a tumour. */
function tumourPoints(sampler: SceneSampler): ScenePoint[] {
  const t = sampler.scene.tumour;
  if (t === null) return [];
  const out: ScenePoint[] = [];
  for (let i = 0; i <= 10; i++) {
    const u = t.centreU + t.halfLength * (i / 5 - 1);
    const w = sampler.wallAt(u);
    out.push(sampler.toScene(u, w.cavity));
    out.push(sampler.toScene(u, w.cavity + w.endometriumHalf + w.invasionAnterior));
    out.push(sampler.toScene(u, w.cavity - w.endometriumHalf - w.invasionPosterior));
  }
  return out;
}
