import type { Acquisition, ScenePoint } from './types.js';

/**
 * Where the fan sits in an output image and how the probe moves between frames. The layout is fixed relative to
 * the image (virtual apex at the top centre, full radius 97 % of the height), so pixel -> (radius, angle) depends on
 * the image size alone and can be cached; wide sectors are clipped by the image sides as on a cropped scanner screen.
 */

/** Outer fan radius as a fraction of the image height. */
export const FAN_RADIUS_FRACTION = 0.97;

export interface FanLayout {
  readonly width: number;
  readonly height: number;
  /** Virtual apex in pixel coordinates (pixel centres are at i + 0.5). */
  readonly apexX: number;
  readonly apexY: number;
  /** Radius of the probe face and of the deepest sample, pixels. */
  readonly innerRadiusPx: number;
  readonly outerRadiusPx: number;
  /** Half the sector angle, radians. */
  readonly halfAngle: number;
  readonly cmPerPx: number;
  readonly probeRadiusCm: number;
  readonly depthCm: number;
}

export function fanLayout(acq: Acquisition, width: number, height: number): FanLayout {
  const outer = height * FAN_RADIUS_FRACTION;
  const totalCm = acq.probeRadiusCm + acq.depthCm;
  return {
    width,
    height,
    apexX: width / 2,
    apexY: 0,
    innerRadiusPx: (outer * acq.probeRadiusCm) / totalCm,
    outerRadiusPx: outer,
    halfAngle: (acq.sectorDeg * Math.PI) / 360,
    cmPerPx: totalCm / outer,
    probeRadiusCm: acq.probeRadiusCm,
    depthCm: acq.depthCm,
  };
}

/** Rigid placement of the probe in the scene for one frame: beams rotate by `angle`, the apex moves to (tx, tz). */
export interface ProbePose {
  readonly angle: number;
  readonly tx: number;
  readonly tz: number;
}

/** The pose at `frame`: the acquisition's tilt plus smooth breathing and tremor motion (zero offset at frame 0). */
export function probePose(acq: Acquisition, frame: number): ProbePose {
  const m = acq.motion;
  const slow = Math.sin((2 * Math.PI * frame) / m.periodFrames + m.phase) - Math.sin(m.phase);
  const fast = Math.sin((2 * Math.PI * frame) / m.tremorPeriodFrames + m.tremorPhase) - Math.sin(m.tremorPhase);
  const c = Math.cos(m.direction);
  const s = Math.sin(m.direction);
  const along = m.shiftCm * slow;
  const across = 0.3 * m.shiftCm * fast;
  const rotDeg = acq.tiltDeg + m.rotationDeg * (0.6 * slow + 0.4 * fast);
  return { angle: (rotDeg * Math.PI) / 180, tx: along * c - across * s, tz: along * s + across * c };
}

/** Probe-frame point (x lateral, z along the probe axis, cm from the virtual apex) to the scene frame. */
export function probeToScene(pose: ProbePose, x: number, z: number): ScenePoint {
  const c = Math.cos(pose.angle);
  const s = Math.sin(pose.angle);
  return { x: pose.tx + x * c + z * s, z: pose.tz - x * s + z * c };
}

/** Scene point to the probe frame (inverse of probeToScene). */
export function sceneToProbe(pose: ProbePose, x: number, z: number): ScenePoint {
  const c = Math.cos(pose.angle);
  const s = Math.sin(pose.angle);
  const dx = x - pose.tx;
  const dz = z - pose.tz;
  return { x: dx * c - dz * s, z: dx * s + dz * c };
}

/** Whether pixel (px, py) (its centre) lies in the fan. */
export function pixelInFan(layout: FanLayout, px: number, py: number): boolean {
  const dx = px + 0.5 - layout.apexX;
  const dy = py + 0.5 - layout.apexY;
  const rho = Math.hypot(dx, dy);
  return rho >= layout.innerRadiusPx && rho <= layout.outerRadiusPx && Math.abs(Math.atan2(dx, dy)) <= layout.halfAngle;
}

/** Scene point under pixel (px, py) (its centre), or null outside the fan. */
export function pixelToScene(layout: FanLayout, pose: ProbePose, px: number, py: number): ScenePoint | null {
  if (!pixelInFan(layout, px, py)) return null;
  const x = (px + 0.5 - layout.apexX) * layout.cmPerPx;
  const z = (py + 0.5 - layout.apexY) * layout.cmPerPx;
  return probeToScene(pose, x, z);
}

/** Pixel (fractional, centre convention) showing a scene point, whether or not it falls inside the fan. */
export function sceneToPixel(layout: FanLayout, pose: ProbePose, x: number, z: number): { px: number; py: number } {
  const p = sceneToProbe(pose, x, z);
  return { px: p.x / layout.cmPerPx + layout.apexX - 0.5, py: p.z / layout.cmPerPx + layout.apexY - 0.5 };
}
