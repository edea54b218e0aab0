import type { Config } from '../core/config/index.js';
import type { Logger } from '../core/logger.js';
import { createWorkerEngine } from '../infer/engine/create-worker-engine.js';
import { resolvePackageDir } from '../infer/inference-service.js';
import { loadModelPackage } from '../infer/model-loader.js';
import { trustFromConfig } from '../infer/package/trust.js';
import type { Dataset } from './dataset.js';
import { evaluateDataset } from './evaluate-dataset.js';
import { REPLAY_FRAME_INTERVAL_MS } from './exam-replay.js';
import { buildReport, type EvaluationReport } from './report.js';

export interface EvaluationSessionOptions {
  readonly config: Readonly<Config>;
  /** Already read and checked (readDataset), so a bad folder fails before a model is loaded. */
  readonly dataset: Dataset;
  /** An absolute package folder; null: `inference.package` from the configuration. */
  readonly packageDir: string | null;
  /** Overrides `screening.minUsableFrames`; null: the configuration's. */
  readonly minUsableFrames: number | null;
  /** Overrides `inference.intraOpThreads`; null: the configuration's. */
  readonly intraOpThreads: number | null;
  /** Where the engine logs worker trouble (restarts, releases that failed). */
  readonly logger: Logger;
  /** Told once the model serves, before the first frame. */
  readonly onModelLoaded?: ((summary: string) => void) | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * The whole offline evaluation on the live code path: the engine the daemon builds from the configuration, the
 * package loaded through the same gate (signature by a key this configuration trusts, I/O signature, golden vectors
 * on this device), then every image through the quality gate, preprocessing, inference and its patient's exam.
 * The engine is closed whatever happens.
 */
export async function runEvaluation(options: EvaluationSessionOptions): Promise<EvaluationReport> {
  const { config, dataset } = options;
  const inference = { ...config.inference, intraOpThreads: options.intraOpThreads ?? config.inference.intraOpThreads };
  const screening = { ...config.screening, minUsableFrames: options.minUsableFrames ?? config.screening.minUsableFrames };
  const packageDir = options.packageDir ?? resolvePackageDir(config.inference.package);
  const engine = createWorkerEngine(inference, { logger: options.logger, onRestart: () => undefined, stateDir: config.state.dir });
  try {
    const loaded = await loadModelPackage(packageDir, { engine, trust: trustFromConfig(config.models) });
    const { model } = loaded;
    options.onModelLoaded?.(
      `model ${model.id} ${model.version} serving on ${model.provider} (golden vectors reproduced, ${Math.round(loaded.tookMs)} ms)`,
    );
    const results = await evaluateDataset(dataset, { engine, model, screening, onProgress: options.onProgress });
    return buildReport(results, {
      dataset: {
        dir: dataset.dir,
        labelsPath: dataset.labelsPath,
        totalRows: dataset.totalRows,
        split: dataset.selection.split,
        limitPatients: dataset.selection.limitPatients,
      },
      model: {
        id: model.id,
        version: model.version,
        sha256: model.sha256,
        provider: model.provider,
        packageDir,
        threshold: model.manifest.operatingPoint.threshold,
        loadMs: loaded.tookMs,
      },
      settings: {
        minUsableFrames: screening.minUsableFrames,
        minUsableFraction: screening.minUsableFraction,
        trimFraction: screening.trimFraction,
        intraOpThreads: inference.intraOpThreads,
        frameIntervalMs: REPLAY_FRAME_INTERVAL_MS,
      },
    });
  } finally {
    await engine.close();
  }
}
