import { Rng, deriveSeed } from './rng.js';
import { createCase } from './sample-case.js';
import type { AnyExamSegment, InconclusiveVariant } from './script-types.js';
import type { Acquisition, FluidPocket, GasPocket, PhantomCase, PhantomScene } from './types.js';

/**
 * The case a scripted exam shows on the phantom scanner's screen. The scanner runs one preset for the session, so
 * the sector angle is the layout's (wider than any case draws, so the anatomy stays in view) and the depth is the
 * case's rounded up to the scanner's 0.5 cm steps (deeper, never shallower). Inconclusive variants then change the
 * scene: the uterus is taken out of view (off-axis) or gas at the probe face shadows most of the image.
 */
export function screenCase(segment: AnyExamSegment, sectorDeg: number): PhantomCase {
  const base = createCase(segment.caseSeed, segment.caseOptions);
  const acquisition = screenAcquisition(base.acquisition, sectorDeg);
  const variant: InconclusiveVariant | null = segment.kind === 'exam-inconclusive' ? segment.variant : null;
  let scene = base.scene;
  if (variant === 'off-axis') scene = offAxisScene(base.scene, acquisition, segment.caseSeed);
  else if (variant === 'shadowed') scene = shadowedScene(base.scene, acquisition, segment.caseSeed);
  return { ...base, acquisition, scene };
}

export function screenAcquisition(acq: Acquisition, sectorDeg: number): Acquisition {
  return { ...acq, sectorDeg: Math.max(acq.sectorDeg, sectorDeg), depthCm: Math.ceil(acq.depthCm * 2 - 1e-9) / 2 };
}

/**
 * The probe looks past the uterus: pelvic tissue with bowel gas and an ovary-like cluster of follicles, but no
 * uterus. The uterus (with its tumour and adenomyosis, which live in its frame) is moved far outside the field.
 */
export function offAxisScene(scene: PhantomScene, acq: Acquisition, seed: number): PhantomScene {
  const rng = new Rng(deriveSeed(seed, 0x0ff));
  const r0 = acq.probeRadiusCm;
  const far = { x: scene.uterus.centre.x + 60, z: scene.uterus.centre.z + 60 };
  const follicles: FluidPocket[] = [];
  const ovary = { x: rng.range(-2, 2), z: r0 + rng.range(2.5, 4.5) };
  const count = rng.int(4, 9);
  for (let i = 0; i < count; i++) {
    const r = rng.range(0.2, 0.6);
    follicles.push({
      kind: 'cyst',
      centre: { x: ovary.x + rng.normal(0, 0.7), z: ovary.z + rng.normal(0, 0.5) },
      radiusX: r,
      radiusZ: r * rng.range(0.75, 1),
      angle: rng.range(0, Math.PI),
    });
  }
  const gas: GasPocket[] = [];
  const loops = rng.int(1, 3);
  for (let i = 0; i < loops; i++) {
    const rho = r0 + rng.range(3.5, acq.depthCm * 0.75);
    const phi = rng.range(-0.8, 0.8);
    gas.push({
      centre: { x: rho * Math.sin(phi), z: rho * Math.cos(phi) },
      radiusX: rng.range(0.5, 1.1),
      radiusZ: rng.range(0.2, 0.4),
      angle: rng.range(-0.4, 0.4),
    });
  }
  return {
    ...scene,
    uterus: { ...scene.uterus, centre: far },
    fibroids: [],
    fluid: [...scene.fluid.filter((f) => f.kind === 'bladder'), ...follicles],
    gas,
  };
}

/**
 * Gas between the probe face and the tissue (a poorly coupled probe, bowel loops in front of the uterus): its
 * shadows cover about three quarters of the sector, so too little of the uterus is visible to decide.
 */
export function shadowedScene(scene: PhantomScene, acq: Acquisition, seed: number): PhantomScene {
  const rng = new Rng(deriveSeed(seed, 0x5ad));
  const r0 = acq.probeRadiusCm;
  const half = (acq.sectorDeg * Math.PI) / 360;
  // Pockets side by side across the sector, each shadowing a wedge; a few narrow gaps stay open.
  const pockets = 4;
  const wedge = (2 * half) / pockets;
  const gas: GasPocket[] = [];
  for (let i = 0; i < pockets; i++) {
    const rho = r0 + rng.range(0.5, 0.9);
    const phi = -half + wedge * (i + 0.5) + rng.range(-0.05, 0.05) + acq.tiltDeg * (Math.PI / 180);
    const halfWidth = rho * Math.tan(wedge * rng.range(0.36, 0.44));
    gas.push({
      centre: { x: rho * Math.sin(phi), z: rho * Math.cos(phi) },
      radiusX: halfWidth,
      radiusZ: rng.range(0.15, 0.3),
      angle: -phi,
    });
  }
  return { ...scene, gas: [...scene.gas, ...gas] };
}
