import type { PhantomLabel } from './types.js';

/**
 * The phantom scanner's scripted session, as plain data so tests and the evaluation tooling can read the ground
 * truth of every exam the demo plays. One script is one cycle; the source repeats it forever.
 */
export type SegmentKind = 'idle' | 'exam' | 'exam-inconclusive' | 'frozen' | 'no-signal';

/** Why an exam should end without a decision. */
export type InconclusiveVariant =
  /** The exam starts normally, then the video signal is lost (the next segment is `no-signal`). */
  | 'signal-loss'
  /** The probe looks past the uterus: ultrasound-like tissue, but no uterus in the image. */
  | 'off-axis'
  /** Acoustic shadowing (bowel gas, calcifications) blanks most of the image. */
  | 'shadowed';

/** The screening decision words (ARCHITECTURE section 3). */
export type ExpectedDecision = 'refer' | 'no_invasion' | 'inconclusive';

export interface ExamTruth {
  /** The case's label: 1 = deep myometrial invasion. */
  readonly label: PhantomLabel;
  readonly depthRatio: number;
  /** Drawn close to the decision threshold on purpose. */
  readonly borderline: boolean;
  /** What a correct screening of this exam decides. */
  readonly expected: ExpectedDecision;
  /** One line a person can read: why that decision is the right one. */
  readonly reason: string;
}

interface SegmentBase {
  /** Position in the script (one cycle). */
  readonly index: number;
  readonly durationS: number;
}

export interface IdleSegment extends SegmentBase {
  /** Scanner live, probe not in contact: a dark fan with only noise and near-field ringing. */
  readonly kind: 'idle';
  readonly truth: null;
}

export interface ExamSegment extends SegmentBase {
  readonly kind: 'exam';
  /** createCase(caseSeed, { label, borderlineFraction }) re-creates the case this segment shows. */
  readonly caseSeed: number;
  readonly caseOptions: ScriptCaseOptions;
  readonly truth: ExamTruth;
}

export interface InconclusiveExamSegment extends SegmentBase {
  readonly kind: 'exam-inconclusive';
  readonly variant: InconclusiveVariant;
  readonly caseSeed: number;
  readonly caseOptions: ScriptCaseOptions;
  readonly truth: ExamTruth;
}

export interface FrozenSegment extends SegmentBase {
  /** The freeze button: the fan keeps the previous segment's last image while the clock keeps ticking. */
  readonly kind: 'frozen';
  readonly truth: null;
}

export interface NoSignalSegment extends SegmentBase {
  /** No frames at all, as with an unplugged cable. */
  readonly kind: 'no-signal';
  readonly truth: null;
}

export interface ScriptCaseOptions {
  readonly label: PhantomLabel;
  /** 1 forces a borderline case, 0 forbids one. */
  readonly borderlineFraction: 0 | 1;
}

export type ScriptSegment = IdleSegment | ExamSegment | InconclusiveExamSegment | FrozenSegment | NoSignalSegment;

export type AnyExamSegment = ExamSegment | InconclusiveExamSegment;

export function isExamSegment(segment: ScriptSegment): segment is AnyExamSegment {
  return segment.kind === 'exam' || segment.kind === 'exam-inconclusive';
}
