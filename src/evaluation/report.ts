import { REJECT_REASONS, type Decision, type InconclusiveReason, type RejectReason } from '../screening/index.js';
import type { SplitFilter } from './dataset.js';
import type { EvaluationResults, ExamResult, FrameResult } from './evaluate-dataset.js';
import { auc, confusion, rates, ratesAtThreshold } from './metrics.js';

export const INCONCLUSIVE_REASONS: readonly InconclusiveReason[] = [
  'too_few_usable_frames',
  'poor_image_quality',
  'out_of_distribution',
  'signal_lost',
  'interrupted',
];

/** What the numbers were measured on and with. */
export interface ReportContext {
  readonly dataset: {
    readonly dir: string;
    readonly labelsPath: string;
    /** Rows in labels.csv before the selection. */
    readonly totalRows: number;
    readonly split: SplitFilter;
    readonly limitPatients: number | null;
  };
  readonly model: {
    readonly id: string;
    readonly version: string;
    readonly sha256: string;
    readonly provider: string;
    readonly packageDir: string;
    /** The manifest's operating point: p >= threshold is a positive call (a refer at exam level). */
    readonly threshold: number;
    /** Verify, session build, warm-up and golden check, ms. */
    readonly loadMs: number;
  };
  readonly settings: {
    readonly minUsableFrames: number;
    readonly minUsableFraction: number;
    readonly trimFraction: number;
    readonly intraOpThreads: number;
    readonly frameIntervalMs: number;
  };
}

/** Sensitivity, specificity and counts at the threshold, over the cases that got a call. */
interface CalledMetrics {
  readonly sensitivity: number | null;
  readonly specificity: number | null;
  readonly tp: number;
  readonly fn: number;
  readonly tn: number;
  readonly fp: number;
}

export interface FrameLevel extends CalledMetrics {
  readonly frames: number;
  /** Frames labelled 1 / 0, inferred or not. */
  readonly positives: number;
  readonly negatives: number;
  /** Frames the gate passed and the model scored: AUC, sensitivity and specificity are over these. */
  readonly inferred: number;
  readonly threshold: number;
  readonly auc: number | null;
}

export interface ExamLevel extends CalledMetrics {
  readonly exams: number;
  /** Exams labelled 1 / 0 (a patient with any image labelled 1 is positive). */
  readonly positives: number;
  readonly negatives: number;
  readonly decisions: Readonly<Record<Decision, number>>;
  /** Inconclusive exams by reason; they are left out of sensitivity and specificity. */
  readonly inconclusiveByReason: Readonly<Record<InconclusiveReason, number>>;
  readonly mixedLabelExams: number;
  /** Exams with a score (at least one scored frame), inconclusive ones included: the exam AUC is over these. */
  readonly scored: number;
  readonly auc: number | null;
  /** Exams decided refer or no_invasion: sensitivity and specificity are over these. */
  readonly decided: number;
}

export interface GateSummary {
  readonly frames: number;
  readonly usable: number;
  readonly rejected: number;
  readonly byReason: Readonly<Record<RejectReason, number>>;
}

export interface TimingSummary {
  readonly frames: number;
  readonly wallMs: number;
  /** Images per second end to end: read, decode, gate, preprocess, inference, exam machine. */
  readonly framesPerSecond: number | null;
  readonly inferred: number;
  /** Mean time inside session.run per inferred frame, ms. */
  readonly meanRunMs: number | null;
  readonly modelLoadMs: number;
}

export interface EvaluationReport extends ReportContext {
  readonly frameLevel: FrameLevel;
  readonly examLevel: ExamLevel;
  readonly gate: GateSummary;
  readonly timing: TimingSummary;
  /** Sentences about what makes the numbers weaker than they look (many inconclusive exams, one class only, ...). */
  readonly notes: readonly string[];
  readonly frames: readonly FrameResult[];
  readonly exams: readonly ExamResult[];
}

/** Turns the per-frame and per-exam results into the report's numbers. Pure. */
export function buildReport(results: EvaluationResults, context: ReportContext): EvaluationReport {
  const frameLevel = summariseFrames(results.frames, context.model.threshold);
  const examLevel = summariseExams(results.exams);
  const gate = summariseGate(results.frames);
  const runTimes = results.frames.flatMap((frame) => (frame.runtimeMs === null ? [] : [frame.runtimeMs]));
  const timing: TimingSummary = {
    frames: results.frames.length,
    wallMs: results.wallMs,
    framesPerSecond: results.wallMs > 0 ? (results.frames.length * 1000) / results.wallMs : null,
    inferred: runTimes.length,
    meanRunMs: runTimes.length > 0 ? runTimes.reduce((sum, ms) => sum + ms, 0) / runTimes.length : null,
    modelLoadMs: context.model.loadMs,
  };
  return {
    ...context,
    frameLevel,
    examLevel,
    gate,
    timing,
    notes: notesFor(results, frameLevel, examLevel, context),
    frames: results.frames,
    exams: results.exams,
  };
}

function summariseFrames(frames: readonly FrameResult[], threshold: number): FrameLevel {
  const inferred = frames.flatMap((frame) => (frame.probability === null ? [] : [{ label: frame.label, score: frame.probability }]));
  const positives = frames.filter((frame) => frame.label === 1).length;
  const called = ratesAtThreshold(inferred, threshold);
  return {
    frames: frames.length,
    positives,
    negatives: frames.length - positives,
    inferred: inferred.length,
    threshold,
    auc: auc(inferred),
    ...calledMetrics(called),
  };
}

function summariseExams(exams: readonly ExamResult[]): ExamLevel {
  const decisions: Record<Decision, number> = { refer: 0, no_invasion: 0, inconclusive: 0 };
  const inconclusiveByReason = Object.fromEntries(INCONCLUSIVE_REASONS.map((reason) => [reason, 0])) as Record<InconclusiveReason, number>;
  for (const exam of exams) {
    decisions[exam.decision] += 1;
    if (exam.reason !== null) inconclusiveByReason[exam.reason] += 1;
  }
  const scored = exams.flatMap((exam) => (exam.score === null ? [] : [{ label: exam.label, score: exam.score }]));
  // The machine's decision is the call, not the score against the threshold again: that is what a clinic would see.
  const decided = exams.flatMap((exam) => (exam.decision === 'inconclusive' ? [] : [{ label: exam.label, positive: exam.decision === 'refer' }]));
  const positives = exams.filter((exam) => exam.label === 1).length;
  return {
    exams: exams.length,
    positives,
    negatives: exams.length - positives,
    decisions,
    inconclusiveByReason,
    mixedLabelExams: exams.filter((exam) => exam.mixedLabels).length,
    scored: scored.length,
    auc: auc(scored),
    decided: decided.length,
    ...calledMetrics(rates(confusion(decided))),
  };
}

function calledMetrics(r: CalledMetrics): CalledMetrics {
  return { sensitivity: r.sensitivity, specificity: r.specificity, tp: r.tp, fn: r.fn, tn: r.tn, fp: r.fp };
}

function summariseGate(frames: readonly FrameResult[]): GateSummary {
  const byReason = Object.fromEntries(REJECT_REASONS.map((reason) => [reason, 0])) as Record<RejectReason, number>;
  for (const frame of frames) if (frame.reason !== null) byReason[frame.reason] += 1;
  const usable = frames.filter((frame) => frame.usable).length;
  return { frames: frames.length, usable, rejected: frames.length - usable, byReason };
}

function notesFor(results: EvaluationResults, frames: FrameLevel, exams: ExamLevel, context: ReportContext): string[] {
  const notes: string[] = [];
  const tooFew = exams.inconclusiveByReason.too_few_usable_frames;
  // A quarter is "many": below that the exam figures still describe most of the set.
  if (tooFew > 0 && tooFew * 4 >= exams.exams) {
    const scoredFrames = results.exams.map((exam) => exam.scoredFrames);
    notes.push(
      `${tooFew} of ${exams.exams} exams (${percent(tooFew / exams.exams)}) were inconclusive for too few usable frames: ` +
        `a median of ${median(scoredFrames)} scored frames per exam, the decision needs ${context.settings.minUsableFrames} ` +
        `(screening.minUsableFrames). For sets with few images per patient pass --min-usable-frames.`,
    );
  }
  if (frames.inferred > 0 && frames.auc === null) notes.push('frame-level AUC is undefined: the inferred frames carry one label only');
  if (exams.scored > 0 && exams.auc === null) notes.push('exam-level AUC is undefined: the scored exams carry one label only');
  if (exams.decided === 0) notes.push('no exam was decided: exam-level sensitivity and specificity are undefined');
  if (exams.mixedLabelExams > 0) {
    notes.push(`${exams.mixedLabelExams} patient(s) have images labelled both 0 and 1; their exams count as positive`);
  }
  const timedOut = results.exams.filter((exam) => exam.endedBy === 'idle_timeout');
  if (timedOut.length > 0) {
    const after = timedOut.reduce((sum, exam) => sum + exam.framesAfterEnd, 0);
    notes.push(
      `${timedOut.length} exam(s) ended by the idle timeout (no tissue for screening.idleTimeoutMs at 30 frames/s); ` +
        `${after} frame(s) after that were not part of any exam`,
    );
  }
  return notes;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
