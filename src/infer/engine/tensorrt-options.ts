import { join, resolve } from 'node:path';
import type { InferenceConfig } from '../../core/config/schema.js';
import { MyoError } from '../../core/errors.js';

export type TensorrtConfig = InferenceConfig['tensorrt'];
export type TensorrtPrecision = 'fp16' | 'fp32';

/** What the TensorRT execution provider is given for one model, and where its engines live. */
export interface TensorrtPlan {
  readonly precision: TensorrtPrecision;
  /** `<sha256 first 16>-trt<version>-<precision>`: an engine is only valid for that model, TensorRT and precision. */
  readonly cacheKey: string;
  /** This model's engine folder, or null with the engine cache off. */
  readonly engineCacheDir: string | null;
  /** Shared by every model of one TensorRT version (timings depend on the GPU and TensorRT, not on the model). */
  readonly timingCacheDir: string | null;
  /**
   * onnxruntime's own TensorRT option names and string values, as `UpdateTensorRTProviderOptions` takes them; the
   * patched Node binding (deploy/jetson/onnxruntime-node-trt-options.patch) forwards every `trt_*` key of the provider
   * object. The stock binding ignores them.
   */
  readonly providerOptions: Readonly<Record<string, string>>;
}

export interface TensorrtPlanInput {
  readonly config: TensorrtConfig;
  /** `state.dir`: the default cache root is `<state.dir>/trt-cache`. */
  readonly stateDir: string;
  /** sha256 of the ONNX file (hex), from the verified manifest. */
  readonly modelSha256: string;
  /** TensorRT version the binding was built against (from its build marker), or `unknown`. */
  readonly tensorrtVersion: string;
}

const MIB = 1024 * 1024;

function flag(value: boolean): string {
  return value ? 'True' : 'False';
}

/** A folder-name-safe version: `10.3.0.30` stays, anything odd becomes `_`. */
function versionSegment(version: string): string {
  const cleaned = version.trim().replace(/[^0-9A-Za-z.]/g, '_').slice(0, 32);
  return cleaned === '' ? 'unknown' : cleaned;
}

/** The cache root: `tensorrt.cacheDir` when set, else `<state.dir>/trt-cache`, resolved to an absolute path. */
export function tensorrtCacheRoot(config: TensorrtConfig, stateDir: string): string {
  return resolve(config.cacheDir === '' ? join(stateDir, 'trt-cache') : config.cacheDir);
}

/**
 * Config + model hash + TensorRT version + precision -> provider options and cache folders. Pure: creates nothing;
 * the worker makes the folders before it creates the session.
 */
export function tensorrtPlan(input: TensorrtPlanInput): TensorrtPlan {
  const sha = input.modelSha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha)) {
    throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', `model sha256 "${input.modelSha256}" is not 64 hex digits`, { sha256: input.modelSha256 });
  }
  const { config } = input;
  const precision: TensorrtPrecision = config.fp16 ? 'fp16' : 'fp32';
  const trt = versionSegment(input.tensorrtVersion);
  const cacheKey = `${sha.slice(0, 16)}-trt${trt}-${precision}`;
  const root = tensorrtCacheRoot(config, input.stateDir);
  const engineCacheDir = config.engineCache ? join(root, cacheKey) : null;
  const timingCacheDir = config.timingCache ? join(root, `timing-trt${trt}`) : null;
  const providerOptions: Record<string, string> = {
    trt_fp16_enable: flag(config.fp16),
    trt_max_workspace_size: String(config.workspaceMiB * MIB),
    trt_builder_optimization_level: String(config.builderOptimizationLevel),
    trt_engine_cache_enable: flag(engineCacheDir !== null),
    trt_timing_cache_enable: flag(timingCacheDir !== null),
  };
  if (engineCacheDir !== null) providerOptions.trt_engine_cache_path = engineCacheDir;
  if (timingCacheDir !== null) providerOptions.trt_timing_cache_path = timingCacheDir;
  return { precision, cacheKey, engineCacheDir, timingCacheDir, providerOptions };
}
