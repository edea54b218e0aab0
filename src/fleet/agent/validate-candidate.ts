import { performance } from 'node:perf_hooks';
import { MyoError } from '../../core/errors.js';
import type { InferenceEngine, PreparedModel } from '../../infer/engine/engine.js';
import { loadModelPackage } from '../../infer/model-loader.js';
import type { GoldenReport } from '../../infer/package/golden.js';
import type { TrustedKeys } from '../../infer/package/keys.js';

export interface ValidatedCandidate {
  /** Prepared in its own engine slot, not serving: activate or discard it. */
  readonly model: PreparedModel;
  readonly golden: GoldenReport;
  readonly p95Ms: number;
  readonly runs: number;
}

/** Nearest-rank p95 of a sample. */
export function p95(samples: readonly number[]): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
}

/**
 * Validation on this device (ARCHITECTURE section 7): the staged package is verified again, loaded into a shadow
 * session beside the serving one (graph I/O against the manifest), must reproduce its golden vectors here, and the
 * p95 of `runs` timed inferences on the shadow session must stay within the budget. The time is taken around the
 * whole engine call (messaging to the worker included), as the pipeline pays it. Any refusal discards the shadow.
 */
export async function validateCandidate(
  dir: string,
  deps: { engine: InferenceEngine; trust: TrustedKeys; runs: number; budgetMs: number; signal?: AbortSignal; onProgress?: (fraction: number) => void },
): Promise<ValidatedCandidate> {
  const { engine } = deps;
  const loaded = await loadModelPackage(dir, { engine, trust: deps.trust, activate: false });
  const model = loaded.model;
  deps.onProgress?.(0.5);
  try {
    const [, , height, width] = model.manifest.input.shape;
    // A mid-grey input: latency does not depend on the values for these graphs, and nothing here is a patient's.
    const input = new Float32Array(height * width).fill(0.5);
    const samples: number[] = [];
    for (let i = 0; i < deps.runs; i += 1) {
      if (deps.signal?.aborted) throw new MyoError('MYO_ERR_ABORTED', 'validation cancelled');
      const started = performance.now();
      await engine.run(input, model);
      samples.push(performance.now() - started);
      deps.onProgress?.(0.5 + (0.5 * (i + 1)) / deps.runs);
    }
    const p95Ms = p95(samples);
    if (deps.budgetMs > 0 && p95Ms > deps.budgetMs) {
      throw new MyoError(
        'MYO_ERR_MODEL_TOO_SLOW',
        `${model.id} ${model.version}: p95 ${p95Ms.toFixed(1)} ms over ${deps.runs} runs on ${model.provider} is over the ${deps.budgetMs} ms budget`,
        { p95Ms, budgetMs: deps.budgetMs, provider: model.provider },
      );
    }
    return { model, golden: loaded.golden, p95Ms, runs: deps.runs };
  } catch (error) {
    await engine.discard(model).catch(() => undefined);
    throw error;
  }
}
