import { performance } from 'node:perf_hooks';
import { MyoError } from '../core/errors.js';
import type { InferenceEngine, PreparedModel } from './engine/engine.js';
import { checkGolden, type GoldenReport } from './package/golden.js';
import type { TrustedKeys } from './package/keys.js';
import { verifyPackage } from './package/verify.js';

export interface LoadedModel {
  readonly model: PreparedModel;
  readonly golden: GoldenReport;
  readonly tookMs: number;
}

/**
 * The only way a package gets to serve: verify (signature by a trusted key, every file's size and sha256), build
 * and warm a session beside the active one (input/output signature checked against the graph), reproduce the
 * golden vectors on this device with this provider, and only then swap. Any refusal leaves the active model serving
 * and carries its own code.
 */
export async function loadModelPackage(dir: string, deps: { engine: InferenceEngine; trust: TrustedKeys; activate?: boolean }): Promise<LoadedModel> {
  const started = performance.now();
  const pkg = await verifyPackage(dir, deps.trust);
  const model = await deps.engine.prepare(pkg);
  let golden: GoldenReport;
  try {
    golden = await checkGolden(dir, pkg.manifest, async (input) => (await deps.engine.run(input, model)).outputs);
  } catch (error) {
    await deps.engine.discard(model);
    throw error;
  }
  if (!golden.passed) {
    await deps.engine.discard(model);
    throw new MyoError('MYO_ERR_MODEL_GOLDEN', `${model.id} ${model.version} fails its golden vectors on ${model.provider}: ${golden.failures.join('; ')}`, {
      failures: golden.failures,
      provider: model.provider,
    });
  }
  if (deps.activate ?? true) await deps.engine.activate(model);
  return { model, golden, tookMs: performance.now() - started };
}
