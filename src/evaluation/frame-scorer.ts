import type { QualityConfig } from '../core/config/index.js';
import { MyoError } from '../core/errors.js';
import type { Rect } from '../core/frame.js';
import type { GrayImage } from '../imaging/png.js';
import type { InferenceEngine, PreparedModel } from '../infer/engine/engine.js';
import { positiveLabelIndex, positiveProbability } from '../infer/postprocess.js';
import { Preprocessor } from '../infer/preprocess.js';
import { judgeFrame, measureFrame, type FrameFeatures, type FrameVerdict } from '../screening/index.js';

/** What the live per-frame path makes of one image. */
export interface FrameScore {
  readonly features: FrameFeatures;
  readonly verdict: FrameVerdict;
  /** p(invasion); null when the gate rejected the frame (it is not inferred, as live). */
  readonly probability: number | null;
  /** Time inside session.run on the worker thread, ms; null when not inferred. */
  readonly runtimeMs: number | null;
}

export interface FrameScorerDeps {
  /** The engine with `model` active (loadModelPackage activates it). */
  readonly engine: InferenceEngine;
  readonly model: PreparedModel;
  readonly quality: QualityConfig;
}

/**
 * One frame through the same steps as ScreeningPipeline.handle: measureFrame + judgeFrame (the quality gate),
 * then, for usable frames only, the Preprocessor built from the manifest as the pipeline builds it, engine.run on
 * the active model, and positiveProbability of the `logits` output. The whole image is the ROI: data-set images are
 * already the fan (docs/dataset-layout.md), and a still image has a settled ROI and an `ok` signal by definition.
 */
export class FrameScorer {
  readonly #deps: FrameScorerDeps;
  readonly #preprocessor: Preprocessor;
  readonly #positiveIndex: number;

  constructor(deps: FrameScorerDeps) {
    this.#deps = deps;
    const input = deps.model.manifest.input;
    const [, , height, width] = input.shape;
    this.#preprocessor = new Preprocessor({ size: Math.max(width, height), scale: input.scale, mean: input.mean, std: input.std });
    this.#positiveIndex = positiveLabelIndex(deps.model.manifest);
  }

  async score(image: GrayImage): Promise<FrameScore> {
    const { engine, quality } = this.#deps;
    const roi: Rect = { x: 0, y: 0, width: image.width, height: image.height };
    const features = measureFrame(image.pixels, image.width, roi, quality.darkLevel);
    const verdict = judgeFrame({ signal: 'ok', roiSettled: true, features }, quality);
    if (!verdict.usable) return { features, verdict, probability: null, runtimeMs: null };
    const input = this.#preprocessor.run(image.pixels, image.width, image.height, roi);
    const result = await engine.run(input);
    const logits = result.outputs.logits;
    if (!logits) throw new MyoError('MYO_ERR_ENGINE_FAILED', 'the model returned no logits');
    return { features, verdict, probability: positiveProbability(logits, this.#positiveIndex), runtimeMs: result.runtimeMs };
  }
}
