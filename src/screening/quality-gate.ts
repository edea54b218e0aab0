import type { SignalState } from '../core/frame.js';
import type { FrameFeatures } from './frame-features.js';
import { isLiveSignal, type RejectReason } from './types.js';

/**
 * Thresholds of the quality gate (`screening.quality` in the config). Defaults and where they come from, measured on
 * the phantom scanner at darkLevel 24:
 * - minContactCoverage 0.05: the idle probe-not-in-contact screen shows ~0.005 coverage, the thinnest real image
 *   (a shadowed exam) ~0.14, so 0.05 separates "probe off" from "probe on" with margin both sides.
 * - minTissueCoverage 0.4: real exams cover 0.58-0.78 of the fan, a shadowed exam ~0.14; 0.4 keeps every real
 *   exam frame and rejects shadowing long before the model would see a mostly black image.
 * - maxFlatFraction 0.5: speckle has ~0.1 identical right neighbours (0.08-0.29 on real exams); graphics, menus,
 *   screenshots and flat fills have more than 0.5.
 * - minCentreEcho 40: real exams show 46-145 in the centre window, an off-axis view (no uterus) ~36.
 * - maxSaturatedFraction 0.2: B-mode at sane gain clips only specular reflectors, a few per cent at most; a fifth
 *   of the fan at 255 is gain far too high or not ultrasound at all.
 */
export interface QualityGateOptions {
  readonly minContactCoverage: number;
  readonly minTissueCoverage: number;
  readonly maxFlatFraction: number;
  readonly minCentreEcho: number;
  readonly maxSaturatedFraction: number;
}

export interface FrameJudgement {
  readonly signal: SignalState;
  /** Whether the ROI detector has found the fan (until then the whole screen would be measured and scored). */
  readonly roiSettled: boolean;
  readonly features: FrameFeatures;
}

/**
 * `live`: live ultrasound with the probe in contact (signal ok, tissue coverage at least minContactCoverage). It
 * drives the exam lifecycle (auto start, idle timeout), independent of whether the frame may be scored.
 */
export type FrameVerdict =
  | { readonly usable: true; readonly live: true }
  | { readonly usable: false; readonly live: boolean; readonly reason: RejectReason };

/**
 * Decides whether one frame may count toward the exam score. The checks run in a fixed order and the first hit
 * wins, so each rejected frame has exactly one reason. The point of the gate: a non-uterine or non-ultrasound image
 * must never count toward a `no_invasion` (the model would score it, and most likely low).
 */
export function judgeFrame(input: FrameJudgement, q: QualityGateOptions): FrameVerdict {
  const f = input.features;
  if (!isLiveSignal(input.signal)) return reject(false, 'signal_not_live');
  const inContact = f.tissueCoverage >= q.minContactCoverage;
  // Until the fan is found the whole screen is measured (text, grey bar, logos): contact cannot be judged, and
  // treating the screen as live would start exams on an idle scanner.
  if (!input.roiSettled) return reject(false, 'roi_unsettled');
  if (!inContact) return reject(false, 'no_tissue');
  // Neither a clipped image nor graphics is live ultrasound: they must not start or prolong an exam either.
  if (f.saturatedFraction > q.maxSaturatedFraction) return reject(false, 'saturated');
  if (f.flatFraction > q.maxFlatFraction) return reject(false, 'not_ultrasound');
  // The probe is on (live), but shadowing hides too much of the field to judge the myometrium.
  if (f.tissueCoverage < q.minTissueCoverage) return reject(true, 'no_tissue');
  if (f.centreEcho < q.minCentreEcho) return reject(true, 'out_of_distribution');
  return USABLE;
}

const USABLE: FrameVerdict = { usable: true, live: true };

function reject(live: boolean, reason: RejectReason): FrameVerdict {
  return { usable: false, live, reason };
}
