import { formatTable } from '../cli/output.js';
import { REJECT_REASONS } from '../screening/index.js';
import { INCONCLUSIVE_REASONS, type EvaluationReport } from './report.js';

/**
 * The report as text for a terminal: what was measured with what, the frame- and exam-level figures side by side,
 * the exam decisions, the gate's rejections and the timing. `--json` carries the same numbers unrounded.
 */
export function formatReport(report: EvaluationReport): string {
  const { dataset, model, settings, frameLevel: f, examLevel: e, gate, timing } = report;
  const limit = dataset.limitPatients === null ? '' : `, first ${dataset.limitPatients} patients`;
  const header = [
    `data     ${dataset.labelsPath} (split ${dataset.split}${limit}: ${f.frames} of ${count(dataset.totalRows, 'image')}, ${count(e.exams, 'patient')})`,
    `model    ${model.id} ${model.version} on ${model.provider}, sha256 ${model.sha256.slice(0, 12)}, threshold ${model.threshold.toPrecision(6)}`,
    `package  ${model.packageDir}`,
    `exams    minUsableFrames ${settings.minUsableFrames}, minUsableFraction ${settings.minUsableFraction}, trimFraction ${settings.trimFraction}; ` +
      `images replayed ${settings.frameIntervalMs.toFixed(1)} ms apart`,
  ].join('\n');

  const metrics = formatTable(
    ['', 'frame level', 'exam level'],
    [
      ['cases', count(f.frames, 'image'), count(e.exams, 'patient')],
      ['positive / negative', `${f.positives} / ${f.negatives}`, `${e.positives} / ${e.negatives}`],
      ['AUC', `${fixed(f.auc)} (${f.inferred} inferred)`, `${fixed(e.auc)} (${e.scored} with a score)`],
      ['called', `${f.inferred} inferred`, `${e.decided} decided`],
      ['sensitivity', share(f.sensitivity, f.tp, f.tp + f.fn), share(e.sensitivity, e.tp, e.tp + e.fn)],
      ['specificity', share(f.specificity, f.tn, f.tn + f.fp), share(e.specificity, e.tn, e.tn + e.fp)],
      ['TP / FN / TN / FP', `${f.tp} / ${f.fn} / ${f.tn} / ${f.fp}`, `${e.tp} / ${e.fn} / ${e.tn} / ${e.fp}`],
    ],
  );

  const decisions = formatTable(
    ['exam decision', 'exams'],
    [
      ['refer', String(e.decisions.refer)],
      ['no_invasion', String(e.decisions.no_invasion)],
      ['inconclusive', String(e.decisions.inconclusive)],
      ...INCONCLUSIVE_REASONS.filter((reason) => e.inconclusiveByReason[reason] > 0).map((reason) => [
        `  ${reason}`,
        String(e.inconclusiveByReason[reason]),
      ]),
    ],
  );

  const rejections = formatTable(
    ['quality gate', 'frames'],
    [
      ['usable', String(gate.usable)],
      ['rejected', String(gate.rejected)],
      ...REJECT_REASONS.filter((reason) => gate.byReason[reason] > 0).map((reason) => [`  ${reason}`, String(gate.byReason[reason])]),
    ],
  );

  const perSecond = timing.framesPerSecond === null ? 'n/a' : timing.framesPerSecond.toFixed(1);
  const runMs = timing.meanRunMs === null ? 'n/a' : `${timing.meanRunMs.toFixed(2)} ms`;
  const timingLine =
    `timing   ${count(timing.frames, 'image')} in ${(timing.wallMs / 1000).toFixed(1)} s: ${perSecond} images/s end to end, ` +
    `mean session.run ${runMs} over ${count(timing.inferred, 'run')} (${count(settings.intraOpThreads, 'intra-op thread')}); model load ${Math.round(timing.modelLoadMs)} ms`;
  const notes = report.notes.map((note) => `note     ${note}`);
  return [header, '', metrics, decisions, rejections, timingLine, ...notes].join('\n') + '\n';
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function fixed(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4);
}

function share(value: number | null, count: number, of: number): string {
  return `${fixed(value)} (${count}/${of})`;
}
