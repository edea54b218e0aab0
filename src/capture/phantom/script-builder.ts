import { Rng, deriveSeed } from './rng.js';
import { createCase } from './sample-case.js';
import type {
  ExamTruth,
  InconclusiveVariant,
  ScriptCaseOptions,
  ScriptSegment,
} from './script-types.js';
import type { PhantomLabel } from './types.js';

/**
 * The default scripted session of the phantom scanner, deterministic in `seed`. One cycle holds nine exams: three
 * of each class (one of them borderline) and three that should end inconclusive (off-axis view, shadowed image,
 * signal lost mid-exam), shuffled, with idle screens between exams, two freezes after exams, and two spells without
 * any signal (one cutting an exam short, one on its own). The source plays the cycle over and over.
 */
export function phantomScript(seed: number): ScriptSegment[] {
  const rng = new Rng(deriveSeed(seed, 0x5c41));
  const plans = shuffle(rng, [...EXAM_PLANS]);
  const frozenAfter = pickFrozen(rng, plans);
  const segments: ScriptSegment[] = [];
  const push = (segment: DistributiveOmit<ScriptSegment, 'index'>): void => {
    segments.push({ ...segment, index: segments.length });
  };

  push({ kind: 'idle', durationS: halfSeconds(rng.range(3, 6)), truth: null });
  plans.forEach((plan, i) => {
    const caseSeed = deriveSeed(seed, 1000 + i);
    const label: PhantomLabel = plan.label ?? (rng.chance(0.5) ? 1 : 0);
    const caseOptions: ScriptCaseOptions = { label, borderlineFraction: plan.borderline ? 1 : 0 };
    if (plan.variant === null) {
      push({
        kind: 'exam',
        durationS: halfSeconds(rng.range(8, 20)),
        caseSeed,
        caseOptions,
        truth: examTruth(caseSeed, caseOptions, null),
      });
    } else {
      const short = plan.variant === 'signal-loss';
      push({
        kind: 'exam-inconclusive',
        variant: plan.variant,
        durationS: halfSeconds(short ? rng.range(4, 7) : rng.range(9, 15)),
        caseSeed,
        caseOptions,
        truth: examTruth(caseSeed, caseOptions, plan.variant),
      });
      // The cable comes out mid-exam: no frames for several seconds, well past any no-signal timeout.
      if (short) push({ kind: 'no-signal', durationS: halfSeconds(rng.range(4, 7)), truth: null });
    }
    if (frozenAfter.has(i)) push({ kind: 'frozen', durationS: halfSeconds(rng.range(3, 5)), truth: null });
    push({ kind: 'idle', durationS: halfSeconds(rng.range(3, 6)), truth: null });
  });
  push({ kind: 'no-signal', durationS: halfSeconds(rng.range(3, 5)), truth: null });
  return segments;
}

/** The ground truth of an exam: what its case is, and what a correct screening decides. */
export function examTruth(
  caseSeed: number,
  options: ScriptCaseOptions,
  variant: InconclusiveVariant | null,
): ExamTruth {
  const c = createCase(caseSeed, options);
  const ratio = c.depthRatio.toFixed(2);
  const cmp = c.label === 1 ? '>=' : '<';
  const what = `${c.label === 1 ? 'deep' : 'no deep'} invasion (depth ratio ${ratio} ${cmp} ${c.threshold}${c.borderline ? ', borderline' : ''})`;
  const base = { label: c.label, depthRatio: c.depthRatio, borderline: c.borderline };
  if (variant === null) return { ...base, expected: c.label === 1 ? 'refer' : 'no_invasion', reason: what };
  return { ...base, expected: 'inconclusive', reason: `${INCONCLUSIVE_REASONS[variant]}; the case has ${what}` };
}

const INCONCLUSIVE_REASONS: Readonly<Record<InconclusiveVariant, string>> = {
  'signal-loss': 'the video signal is lost a few seconds into the exam',
  'off-axis': 'off-axis view: tissue, follicles and bowel but no uterus in the image',
  shadowed: 'gas at the probe face shadows most of the image',
};

interface ExamPlan {
  /** null: drawn at random (inconclusive exams). */
  readonly label: PhantomLabel | null;
  readonly borderline: boolean;
  readonly variant: InconclusiveVariant | null;
}

const EXAM_PLANS: readonly ExamPlan[] = [
  { label: 1, borderline: false, variant: null },
  { label: 1, borderline: false, variant: null },
  { label: 1, borderline: true, variant: null },
  { label: 0, borderline: false, variant: null },
  { label: 0, borderline: false, variant: null },
  { label: 0, borderline: true, variant: null },
  { label: null, borderline: false, variant: 'off-axis' },
  { label: null, borderline: false, variant: 'shadowed' },
  { label: null, borderline: false, variant: 'signal-loss' },
];

/** Two exams with a decision (not cut short) after which the sonographer freezes the image. */
function pickFrozen(rng: Rng, plans: readonly ExamPlan[]): Set<number> {
  const candidates = plans.flatMap((plan, i) => (plan.variant === null ? [i] : []));
  const picked = shuffle(rng, candidates).slice(0, 2);
  return new Set(picked);
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    const a = items[i];
    const b = items[j];
    if (a === undefined || b === undefined) continue;
    items[i] = b;
    items[j] = a;
  }
  return items;
}

function halfSeconds(seconds: number): number {
  return Math.round(seconds * 2) / 2;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
