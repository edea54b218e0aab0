import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { ScreeningConfig } from '../core/config/index.js';
import { isMyoError, MyoError } from '../core/errors.js';
import { decodeGrayPng, type GrayImage } from '../imaging/png.js';
import type { InferenceEngine, PreparedModel } from '../infer/engine/engine.js';
import type { Decision, ExamEndCause, InconclusiveReason, RejectReason } from '../screening/index.js';
import type { Dataset } from './dataset.js';
import { datasetError } from './dataset-error.js';
import { ExamReplay } from './exam-replay.js';
import { FrameScorer } from './frame-scorer.js';
import type { DatasetRow } from './labels.js';

/** One image's result: the gate's verdict and, for usable frames, the model's probability. */
export interface FrameResult {
  readonly id: string;
  readonly patientId: string;
  readonly label: 0 | 1;
  readonly usable: boolean;
  /** Why the gate rejected the frame; null when usable. */
  readonly reason: RejectReason | null;
  /** p(invasion); null when not inferred (rejected). */
  readonly probability: number | null;
  /** session.run time on the worker thread, ms; null when not inferred. */
  readonly runtimeMs: number | null;
}

/** One patient's exam as the ExamMachine decided it. */
export interface ExamResult {
  readonly patientId: string;
  /** 1 when any of the patient's images is labelled 1 (invasion seen anywhere is invasion). */
  readonly label: 0 | 1;
  /** The patient's images carry both labels. */
  readonly mixedLabels: boolean;
  readonly frames: number;
  readonly usableFrames: number;
  readonly scoredFrames: number;
  /** Frames after the machine ended the exam by itself (idle timeout); not part of the exam. */
  readonly framesAfterEnd: number;
  readonly score: number | null;
  readonly decision: Decision;
  readonly reason: InconclusiveReason | null;
  readonly endedBy: ExamEndCause;
  readonly detail: string;
}

export interface EvaluationResults {
  readonly frames: readonly FrameResult[];
  readonly exams: readonly ExamResult[];
  /** Wall time of the loop over the images (read, decode, gate, preprocess, inference, exam machine), ms. */
  readonly wallMs: number;
}

export interface EvaluateDatasetDeps {
  /** The engine with `model` active. */
  readonly engine: InferenceEngine;
  readonly model: PreparedModel;
  /** The screening settings to decide with (the caller applies overrides such as minUsableFrames). */
  readonly screening: ScreeningConfig;
  /** Called after each image with (images done, images in total). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * Runs every selected image through the live per-frame path (FrameScorer) and every patient through its own exam
 * (ExamReplay), in labels.csv order. One image at a time, as live: the engine takes one run at a time anyway.
 * An image that cannot be read or decoded, or a frame the engine fails on, stops the run with a coded error naming
 * the row: an evaluation with silently missing frames would report numbers for a different data set.
 */
export async function evaluateDataset(dataset: Dataset, deps: EvaluateDatasetDeps): Promise<EvaluationResults> {
  const { screening, model } = deps;
  const scorer = new FrameScorer({ engine: deps.engine, model, quality: screening.quality });
  const total = dataset.patients.reduce((sum, patient) => sum + patient.rows.length, 0);
  const frames: FrameResult[] = [];
  const exams: ExamResult[] = [];
  const started = performance.now();
  for (const patient of dataset.patients) {
    const replay = new ExamReplay(patient.patientId, {
      autoStartAfterMs: screening.autoStartAfterMs,
      idleTimeoutMs: screening.idleTimeoutMs,
      resultHoldMs: screening.resultHoldMs,
      minUsableFrames: screening.minUsableFrames,
      minUsableFraction: screening.minUsableFraction,
      trimFraction: screening.trimFraction,
      threshold: model.manifest.operatingPoint.threshold,
    });
    for (const row of patient.rows) {
      const image = await readImage(row, dataset.labelsPath);
      const scored = await scorer.score(image).catch((error: unknown) => {
        const code = isMyoError(error) ? error.code : 'MYO_ERR_ENGINE_FAILED';
        const message = error instanceof Error ? error.message : String(error);
        throw new MyoError(code, `${dataset.labelsPath}:${row.line}: image ${row.image} (id ${row.id}): ${message}`, { id: row.id }, { cause: error });
      });
      replay.frame(scored.verdict, scored.probability);
      frames.push({
        id: row.id,
        patientId: row.patientId,
        label: row.label,
        usable: scored.verdict.usable,
        reason: scored.verdict.usable ? null : scored.verdict.reason,
        probability: scored.probability,
        runtimeMs: scored.runtimeMs,
      });
      deps.onProgress?.(frames.length, total);
    }
    const outcome = replay.end();
    const labels = new Set(patient.rows.map((row) => row.label));
    exams.push({
      patientId: patient.patientId,
      label: labels.has(1) ? 1 : 0,
      mixedLabels: labels.size > 1,
      frames: patient.rows.length,
      usableFrames: outcome.usableFrames,
      scoredFrames: outcome.scoredFrames,
      framesAfterEnd: replay.framesAfterEnd,
      score: outcome.score,
      decision: outcome.decision,
      reason: outcome.reason,
      endedBy: outcome.endedBy,
      detail: outcome.detail,
    });
  }
  return { frames, exams, wallMs: performance.now() - started };
}

/** Reads and decodes one image (gray, or RGB/RGBA converted to luma by decodeGrayPng); refusals name the row. */
async function readImage(row: DatasetRow, labelsPath: string): Promise<GrayImage> {
  try {
    return decodeGrayPng(await readFile(row.imagePath));
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw datasetError(labelsPath, row.line, `image ${row.image} (id ${row.id}) cannot be used: ${message}`, { cause });
  }
}
