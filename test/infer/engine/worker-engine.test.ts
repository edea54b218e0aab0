import { beforeAll, describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import type { ProviderName } from '../../../src/infer/engine/engine.js';
import { WorkerEngine, type WorkerEngineOptions } from '../../../src/infer/engine/worker-engine.js';
import { ensureBuilt } from '../../helpers/ensure-built.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { bundledPackage, engineContract } from './engine-contract.js';

function options(overrides: Partial<WorkerEngineOptions> & { providers?: ProviderName[] } = {}): WorkerEngineOptions {
  const { providers, ...rest } = overrides;
  return {
    settings: { providers: providers ?? ['cpu'], intraOpThreads: 1, allowSpinning: false, graphOptimization: 'all', deviceId: 0 },
    warmupRuns: 1,
    hardTimeoutMs: 5000,
    loadTimeoutMs: 30_000,
    logger: silentLogger(),
    ...rest,
  };
}

const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);

// The worker script runs from dist/ (worker threads cannot load TypeScript).
beforeAll(() => ensureBuilt(), 120_000);

engineContract('WorkerEngine (onnxruntime-node)', () => new WorkerEngine(options()));

describe('WorkerEngine provider selection', () => {
  it('falls back from TensorRT and CUDA to the CPU when their libraries are missing, and says so', async () => {
    const engine = new WorkerEngine(options({ providers: ['tensorrt', 'cuda', 'cpu'] }));
    try {
      const model = await engine.prepare(await bundledPackage());
      expect(model.provider).toBe('cpu');
      expect(model.fallbacks.map((f) => f.provider)).toEqual(['tensorrt', 'cuda']);
      for (const failure of model.fallbacks) expect(failure.reason.length).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  });

  it('refuses with MYO_ERR_ENGINE_PROVIDER when no configured provider can start', async () => {
    const engine = new WorkerEngine(options({ providers: ['cuda'] }));
    try {
      const error = await engine.prepare(await bundledPackage()).catch((e: unknown) => e);
      expect(isMyoError(error, 'MYO_ERR_ENGINE_PROVIDER')).toBe(true);
    } finally {
      await engine.close();
    }
  });
});

describe('WorkerEngine supervision', () => {
  it('replaces a worker whose run hangs past the hard limit, and serves again with the model reloaded', async () => {
    const restarts: string[] = [];
    const engine = new WorkerEngine(options({ workerUrl: fixture('hanging-worker.mjs'), hardTimeoutMs: 300, onRestart: (reason) => restarts.push(reason) }));
    try {
      await engine.activate(await engine.prepare(await bundledPackage()));
      const input = new Float32Array(128 * 128);
      await engine.run(input);
      await engine.run(input);
      const started = Date.now();
      const error = await engine.run(input).catch((e: unknown) => e);
      expect(isMyoError(error, 'MYO_ERR_ENGINE_TIMEOUT')).toBe(true);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(restarts).toHaveLength(1);
      // While the replacement loads, runs fail fast rather than queue.
      await expect.poll(() => engine.stats().available, { timeout: 5000 }).toBe(true);
      await expect(engine.run(input)).resolves.toMatchObject({ runtimeMs: 0.1 });
      expect(engine.stats()).toMatchObject({ timeouts: 1, restarts: 1 });
    } finally {
      await engine.close();
    }
  });

  it('replaces a worker that dies, failing only the run it was on', async () => {
    const restarts: string[] = [];
    const engine = new WorkerEngine(options({ workerUrl: fixture('crashing-worker.mjs'), onRestart: (reason) => restarts.push(reason) }));
    try {
      await engine.activate(await engine.prepare(await bundledPackage()));
      const input = new Float32Array(128 * 128);
      await engine.run(input);
      const error = await engine.run(input).catch((e: unknown) => e);
      expect(isMyoError(error, 'MYO_ERR_ENGINE_UNAVAILABLE')).toBe(true);
      expect(restarts[0]).toMatch(/worker died/);
      await expect.poll(() => engine.stats().available, { timeout: 5000 }).toBe(true);
      await expect(engine.run(input)).resolves.toBeDefined();
    } finally {
      await engine.close();
    }
  });
});
