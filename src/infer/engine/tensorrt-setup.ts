import type { InferenceConfig } from '../../core/config/schema.js';
import type { Logger } from '../../core/logger.js';
import { detectOrtBinding, type BindingKind } from './ort-build-marker.js';
import { tensorrtPlan, type TensorrtPlan } from './tensorrt-options.js';

/** Turns a model's sha256 into the TensorRT plan for it. */
export type TensorrtPlanner = (modelSha256: string) => TensorrtPlan;

/**
 * The TensorRT planner the engine uses, or undefined when `inference.providers` does not name tensorrt. Looks at the
 * binding once: with the stock npm binding the options would be dropped silently (FACTS: onnxruntime-node), so say
 * so once, at load, in the log, with what it means (fp16 off, no engine cache: every start rebuilds).
 */
export function createTensorrtPlanner(
  config: InferenceConfig,
  stateDir: string,
  logger: Logger,
  detect: () => BindingKind = () => detectOrtBinding(),
): TensorrtPlanner | undefined {
  if (!config.providers.includes('tensorrt')) return undefined;
  const binding = detect();
  if (binding.patched) {
    logger.info(
      { onnxruntime: binding.marker.onnxruntime, tensorrt: binding.marker.tensorrt, marker: binding.path },
      'onnxruntime binding forwards TensorRT options (fp16, engine and timing caches)',
    );
  } else {
    logger.warn(
      { reason: binding.reason, tensorrt: config.tensorrt },
      'inference.tensorrt is ignored by this onnxruntime binding: TensorRT (if present at all) runs fp32 without an engine cache; ' +
        'build the patched binding with deploy/jetson/build-onnxruntime.sh',
    );
  }
  const tensorrtVersion = binding.patched ? binding.marker.tensorrt : 'unknown';
  return (modelSha256) => tensorrtPlan({ config: config.tensorrt, stateDir, modelSha256, tensorrtVersion });
}
