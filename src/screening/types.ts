import type { SignalState } from '../core/frame.js';

/** The decision words (ARCHITECTURE section 3). */
export type Decision = 'refer' | 'no_invasion' | 'inconclusive';

/** Why the quality gate kept a frame out of the exam score. */
export type RejectReason =
  /** The capture says the signal is not live (no_signal, frozen, blank, disconnected). */
  | 'signal_not_live'
  /** The fan has not been found yet: the whole frame would be scored. */
  | 'roi_unsettled'
  /** Too little of the field shows tissue echo: probe lifted, poor contact, acoustic shadowing. */
  | 'no_tissue'
  /** Large areas clipped at full white: gain far too high, or not an ultrasound image. */
  | 'saturated'
  /** Flat areas and hard edges instead of speckle: graphics, a menu, a photo, not B-mode ultrasound. */
  | 'not_ultrasound'
  /** Ultrasound, but not what the model was trained on (no uterus in the centre of the field). */
  | 'out_of_distribution';

export const REJECT_REASONS: readonly RejectReason[] = [
  'signal_not_live',
  'roi_unsettled',
  'no_tissue',
  'saturated',
  'not_ultrasound',
  'out_of_distribution',
];

/** Why an exam ended without a decision. */
export type InconclusiveReason =
  | 'signal_lost'
  | 'too_few_usable_frames'
  | 'poor_image_quality'
  | 'out_of_distribution'
  | 'interrupted';

export type ExamStartCause = 'auto' | 'operator';
export type ExamEndCause = 'operator' | 'idle_timeout' | 'signal_lost' | 'shutdown';

/** Signal states in which frames keep arriving but show no live ultrasound. */
export function isLiveSignal(state: SignalState): boolean {
  return state === 'ok';
}
