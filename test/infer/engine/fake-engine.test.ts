import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import { FakeEngine } from '../../../src/infer/engine/fake-engine.js';
import { bundledPackage, engineContract } from './engine-contract.js';

engineContract('FakeEngine', () => new FakeEngine());

describe('FakeEngine', () => {
  it('falls back past unavailable providers and reports them', async () => {
    const engine = new FakeEngine({ providers: ['tensorrt', 'cuda', 'cpu'], unavailable: ['tensorrt', 'cuda'] });
    const model = await engine.prepare(await bundledPackage());
    expect(model.provider).toBe('cpu');
    expect(model.fallbacks.map((f) => f.provider)).toEqual(['tensorrt', 'cuda']);
  });

  it('times out a hung run and counts a restart', async () => {
    const restarts: number[] = [];
    const engine = new FakeEngine({ hardTimeoutMs: 20, onRestart: (_reason, n) => restarts.push(n) });
    await engine.activate(await engine.prepare(await bundledPackage()));
    engine.hangNext();
    const error = await engine.run(new Float32Array(4)).catch((e: unknown) => e);
    expect(isMyoError(error, 'MYO_ERR_ENGINE_TIMEOUT')).toBe(true);
    expect(restarts).toEqual([1]);
    await expect(engine.run(new Float32Array(4))).resolves.toBeDefined();
  });

  it('scores with the given function', async () => {
    const engine = new FakeEngine({ score: () => 0.8 });
    await engine.activate(await engine.prepare(await bundledPackage()));
    const { outputs } = await engine.run(new Float32Array(4));
    const logits = outputs.logits ?? new Float32Array(2);
    expect(1 / (1 + Math.exp((logits[0] ?? 0) - (logits[1] ?? 0)))).toBeCloseTo(0.8, 5);
  });
});
