import { MyoError } from '../../core/errors.js';
import { drawAcquisition } from './draw-acquisition.js';
import { drawScene } from './draw-anatomy.js';
import { Rng, seedToUint32 } from './rng.js';
import type { CaseKind, CaseOptions, PhantomCase, PhantomLabel } from './types.js';

/**
 * Draws one case: first the ground truth (label, depth ratio, kind), then the anatomy that realises it and the
 * scanner settings, each from its own stream of the seed so they vary independently.
 */

export const DEFAULT_THRESHOLD = 0.5;
export const DEFAULT_POSITIVE_FRACTION = 0.5;
export const DEFAULT_BORDERLINE_FRACTION = 0.25;
/** Depth ratios within this distance of the threshold count as borderline. */
export const BORDERLINE_MARGIN = 0.08;
/** Deepest invasion drawn: beyond it the tumour reaches the serosa (FIGO III), outside this task. */
export const MAX_DEPTH_RATIO = 0.95;
export const MIN_THRESHOLD = 0.05;
export const MAX_THRESHOLD = 0.95;

/** FIGO IB rule: deep invasion when the depth ratio reaches the threshold. */
export function labelFor(depthRatio: number, threshold = DEFAULT_THRESHOLD): PhantomLabel {
  return depthRatio >= threshold ? 1 : 0;
}

export interface ResolvedCaseOptions {
  readonly label: PhantomLabel | undefined;
  readonly positiveFraction: number;
  readonly threshold: number;
  readonly borderlineFraction: number;
}

function fraction(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || v > 1) {
    throw new MyoError('MYO_ERR_PHANTOM_PARAMS', `${name} must be within [0, 1], got ${String(v)}`, { [name]: v });
  }
  return v;
}

/** Validates case options and fills defaults; refuses out-of-range values with MYO_ERR_PHANTOM_PARAMS. */
export function resolveCaseOptions(options: CaseOptions = {}): ResolvedCaseOptions {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!Number.isFinite(threshold) || threshold < MIN_THRESHOLD || threshold > MAX_THRESHOLD) {
    throw new MyoError(
      'MYO_ERR_PHANTOM_PARAMS',
      `threshold must be within [${MIN_THRESHOLD}, ${MAX_THRESHOLD}], got ${String(threshold)}`,
      { threshold },
    );
  }
  // Options may come from JSON or a CLI, so the label is checked at run time too.
  const raw: unknown = options.label;
  if (raw !== undefined && raw !== 0 && raw !== 1) {
    const shown = typeof raw === 'number' ? String(raw) : typeof raw;
    throw new MyoError('MYO_ERR_PHANTOM_PARAMS', `label must be 0 or 1, got ${shown}`, { label: raw });
  }
  const label = options.label;
  return {
    label,
    threshold,
    positiveFraction: fraction('positiveFraction', options.positiveFraction, DEFAULT_POSITIVE_FRACTION),
    borderlineFraction: fraction('borderlineFraction', options.borderlineFraction, DEFAULT_BORDERLINE_FRACTION),
  };
}

interface Truth {
  readonly label: PhantomLabel;
  readonly kind: CaseKind;
  readonly depthRatio: number;
  readonly tumour: boolean;
}

function drawTruth(rng: Rng, o: ResolvedCaseOptions): Truth {
  const t = o.threshold;
  const m = BORDERLINE_MARGIN;
  const label: PhantomLabel = o.label ?? (rng.chance(o.positiveFraction) ? 1 : 0);
  const borderline = rng.chance(o.borderlineFraction);
  if (label === 1) {
    const split = Math.min(t + m, MAX_DEPTH_RATIO);
    const depthRatio = borderline || split >= MAX_DEPTH_RATIO ? rng.range(t, split) : rng.range(split, MAX_DEPTH_RATIO);
    return { label, kind: 'deep', depthRatio: Math.max(t, depthRatio), tumour: true };
  }
  if (borderline) {
    const depthRatio = rng.range(Math.max(0.01, t - m), t);
    return { label, kind: 'superficial', depthRatio, tumour: true };
  }
  const superficialTop = t - m;
  const kind = rng.weighted<CaseKind>([
    ['healthy', 0.35],
    ['confined', 0.3],
    ['superficial', superficialTop > 0.04 ? 0.35 : 0],
  ]);
  if (kind === 'healthy') return { label, kind, depthRatio: 0, tumour: false };
  if (kind === 'confined') return { label, kind, depthRatio: 0, tumour: true };
  return { label, kind, depthRatio: rng.range(0.03, superficialTop), tumour: true };
}

/** Draws case `seed`. Same seed and options, same case (and the same rendered bytes). */
export function createCase(seed: number, options: CaseOptions = {}): PhantomCase {
  const resolved = resolveCaseOptions(options);
  const root = new Rng(seedToUint32(seed));
  const truthRng = root.fork(11);
  const acquisitionRng = root.fork(12);
  const sceneRng = root.fork(13);
  const truth = drawTruth(truthRng, resolved);
  const acquisition = drawAcquisition(acquisitionRng);
  const scene = drawScene(sceneRng, acquisition, { depthRatio: truth.tumour ? truth.depthRatio : null });
  return {
    seed,
    scene,
    acquisition,
    depthRatio: truth.depthRatio,
    label: labelFor(truth.depthRatio, resolved.threshold),
    borderline: Math.abs(truth.depthRatio - resolved.threshold) < BORDERLINE_MARGIN,
    threshold: resolved.threshold,
    kind: truth.kind,
  };
}
