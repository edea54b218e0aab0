import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema, type Config } from '../../../src/core/config/schema.js';
import { isMyoError } from '../../../src/core/errors.js';
import { detectOrtBinding, judgeOrtBuildMarker, ortBuildMarkerPath, TRT_OPTIONS_PATCH_ID } from '../../../src/infer/engine/ort-build-marker.js';
import { sessionOptionsFor } from '../../../src/infer/engine/session-options.js';
import { tensorrtCacheRoot, tensorrtPlan, type TensorrtConfig } from '../../../src/infer/engine/tensorrt-options.js';
import { createTensorrtPlanner } from '../../../src/infer/engine/tensorrt-setup.js';
import { LEVEL, recordingLogger } from '../../device/watchdog/recording-logger.js';

const SHA = 'a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00';
const defaults = (): Config => Value.Default(ConfigSchema, {}) as Config;
const trtDefaults = (): TensorrtConfig => defaults().inference.tensorrt;

describe('tensorrtPlan', () => {
  it('keys the engine cache by model hash, TensorRT version and precision, under state.dir by default', () => {
    const plan = tensorrtPlan({ config: trtDefaults(), stateDir: '/var/lib/myoscreen', modelSha256: SHA, tensorrtVersion: '10.3.0' });
    expect(plan.precision).toBe('fp16');
    expect(plan.cacheKey).toBe('a3f1c2d4e5b60718-trt10.3.0-fp16');
    expect(plan.engineCacheDir).toBe('/var/lib/myoscreen/trt-cache/a3f1c2d4e5b60718-trt10.3.0-fp16');
    expect(plan.timingCacheDir).toBe('/var/lib/myoscreen/trt-cache/timing-trt10.3.0');
    expect(plan.providerOptions).toEqual({
      trt_fp16_enable: 'True',
      trt_max_workspace_size: String(1024 * 1024 * 1024),
      trt_builder_optimization_level: '3',
      trt_engine_cache_enable: 'True',
      trt_engine_cache_path: '/var/lib/myoscreen/trt-cache/a3f1c2d4e5b60718-trt10.3.0-fp16',
      trt_timing_cache_enable: 'True',
      trt_timing_cache_path: '/var/lib/myoscreen/trt-cache/timing-trt10.3.0',
    });
  });

  it('gives a different folder for fp32, another TensorRT and another model, so no stale engine is loaded', () => {
    const base = { config: trtDefaults(), stateDir: '/s', modelSha256: SHA, tensorrtVersion: '10.3.0' };
    const keys = new Set([
      tensorrtPlan(base).cacheKey,
      tensorrtPlan({ ...base, config: { ...trtDefaults(), fp16: false } }).cacheKey,
      tensorrtPlan({ ...base, tensorrtVersion: '10.7.0' }).cacheKey,
      tensorrtPlan({ ...base, modelSha256: `b${SHA.slice(1)}` }).cacheKey,
    ]);
    expect(keys.size).toBe(4);
    expect(tensorrtPlan({ ...base, config: { ...trtDefaults(), fp16: false } }).providerOptions.trt_fp16_enable).toBe('False');
  });

  it('honours cacheDir, and turns the caches off without paths', () => {
    const config = { ...trtDefaults(), cacheDir: '/var/cache/myoscreen/trt', engineCache: false, timingCache: false, workspaceMiB: 256, builderOptimizationLevel: 5 };
    const plan = tensorrtPlan({ config, stateDir: '/s', modelSha256: SHA.toUpperCase(), tensorrtVersion: '10.3.0' });
    expect(plan.engineCacheDir).toBeNull();
    expect(plan.timingCacheDir).toBeNull();
    expect(plan.providerOptions).toEqual({
      trt_fp16_enable: 'True',
      trt_max_workspace_size: String(256 * 1024 * 1024),
      trt_builder_optimization_level: '5',
      trt_engine_cache_enable: 'False',
      trt_timing_cache_enable: 'False',
    });
    expect(tensorrtCacheRoot(config, '/s')).toBe('/var/cache/myoscreen/trt');
    expect(tensorrtCacheRoot(trtDefaults(), 'var')).toBe(resolve('var/trt-cache'));
  });

  it('keeps odd version strings out of the path and refuses a malformed hash with a code', () => {
    expect(tensorrtPlan({ config: trtDefaults(), stateDir: '/s', modelSha256: SHA, tensorrtVersion: '../10 3' }).cacheKey).toBe('a3f1c2d4e5b60718-trt.._10_3-fp16');
    expect(tensorrtPlan({ config: trtDefaults(), stateDir: '/s', modelSha256: SHA, tensorrtVersion: '' }).cacheKey).toContain('-trtunknown-');
    try {
      tensorrtPlan({ config: trtDefaults(), stateDir: '/s', modelSha256: 'abc', tensorrtVersion: '10.3.0' });
      expect.unreachable();
    } catch (error) {
      expect(isMyoError(error) && error.code).toBe('MYO_ERR_MODEL_MANIFEST_INVALID');
    }
  });
});

describe('sessionOptionsFor with TensorRT options', () => {
  const settings = { providers: ['tensorrt', 'cpu'] as const, intraOpThreads: 1, allowSpinning: false, graphOptimization: 'all' as const, deviceId: 0 };

  it('puts the trt_* options on the tensorrt provider object and keeps CUDA behind it', () => {
    const options = sessionOptionsFor('tensorrt', settings, { trt_fp16_enable: 'True', trt_engine_cache_path: '/c' });
    expect(options.executionProviders).toEqual([
      { trt_fp16_enable: 'True', trt_engine_cache_path: '/c', name: 'tensorrt', deviceId: 0 },
      { name: 'cuda', deviceId: 0 },
    ]);
    expect(sessionOptionsFor('cpu', settings, { trt_fp16_enable: 'True' }).executionProviders).toEqual(['cpu']);
  });
});

describe('the onnxruntime build marker', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const good = JSON.stringify({ patch: TRT_OPTIONS_PATCH_ID, onnxruntime: '1.22.0', tensorrt: '10.3.0', cuda: '12.6' });

  it('judges absence, garbage, a foreign patch id and a good marker', () => {
    expect(judgeOrtBuildMarker(null, '/m').patched).toBe(false);
    expect(judgeOrtBuildMarker('{', '/m')).toEqual({ patched: false, reason: '/m is not JSON' });
    expect(judgeOrtBuildMarker('{"patch":"x"}', '/m')).toEqual({ patched: false, reason: '/m lacks patch/onnxruntime/tensorrt' });
    const foreign = judgeOrtBuildMarker(JSON.stringify({ patch: 'other', onnxruntime: '1', tensorrt: '10' }), '/m');
    expect(!foreign.patched && foreign.reason).toContain(TRT_OPTIONS_PATCH_ID);
    const ok = judgeOrtBuildMarker(good, '/m');
    expect(ok.patched && ok.marker.tensorrt).toBe('10.3.0');
  });

  it('finds no marker in the stock npm package this repository installs', () => {
    const path = ortBuildMarkerPath();
    expect(path).toMatch(/node_modules\/onnxruntime-node\/myoscreen-ort-build\.json$/);
    expect(detectOrtBinding(path).patched).toBe(false);
  });

  it('reads a marker file from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'myo-marker-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'myoscreen-ort-build.json'), good);
    expect(detectOrtBinding(join(dir, 'myoscreen-ort-build.json')).patched).toBe(true);
  });
});

describe('createTensorrtPlanner', () => {
  it('is off when tensorrt is not among the providers (and looks at no binding)', () => {
    const { logger, lines } = recordingLogger();
    let looked = false;
    const planner = createTensorrtPlanner(defaults().inference, '/s', logger, () => {
      looked = true;
      return { patched: false, reason: 'x' };
    });
    expect(planner).toBeUndefined();
    expect(looked).toBe(false);
    expect(lines).toHaveLength(0);
  });

  it('warns once at load that the stock binding ignores the options, and keys the cache as unknown', () => {
    const { logger, lines } = recordingLogger();
    const inference = { ...defaults().inference, providers: ['tensorrt', 'cpu'] as ('tensorrt' | 'cpu')[] };
    const planner = createTensorrtPlanner(inference, '/s', logger, () => ({ patched: false, reason: 'stock npm onnxruntime-node' }));
    planner?.(SHA);
    planner?.(SHA);
    const warnings = lines.filter((l) => l.level === LEVEL.warn);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('inference.tensorrt is ignored');
    expect(planner?.(SHA).cacheKey).toBe('a3f1c2d4e5b60718-trtunknown-fp16');
  });

  it('uses the marker\'s TensorRT version with the patched binding', () => {
    const { logger, lines } = recordingLogger();
    const inference = { ...defaults().inference, providers: ['tensorrt', 'cuda', 'cpu'] as ('tensorrt' | 'cuda' | 'cpu')[] };
    const marker = { patch: TRT_OPTIONS_PATCH_ID, onnxruntime: '1.22.0', tensorrt: '10.3.0.30' };
    const planner = createTensorrtPlanner(inference, '/s', logger, () => ({ patched: true, marker, path: '/m' }));
    expect(planner?.(SHA).cacheKey).toBe('a3f1c2d4e5b60718-trt10.3.0.30-fp16');
    expect(lines.filter((l) => l.level === LEVEL.warn)).toHaveLength(0);
  });
});
