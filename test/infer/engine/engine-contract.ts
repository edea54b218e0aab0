import { afterEach, describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import type { InferenceEngine } from '../../../src/infer/engine/engine.js';
import { DEV_KEY_ID, DEV_PUBLIC_KEY_FILE } from '../../../src/infer/package/dev-key.js';
import { readPublicKey, trustedKeys } from '../../../src/infer/package/keys.js';
import { verifyPackage, type VerifiedPackage } from '../../../src/infer/package/verify.js';
import { BUNDLED_PACKAGE } from '../../helpers/model-package.js';

export async function bundledPackage(): Promise<VerifiedPackage> {
  return verifyPackage(BUNDLED_PACKAGE, trustedKeys([{ id: DEV_KEY_ID, key: readPublicKey(DEV_PUBLIC_KEY_FILE) }]));
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isMyoError(error) ? error.code : error).toBe(code);
}

/** The InferenceEngine contract: the real worker engine and the fake both pass it. */
export function engineContract(name: string, create: () => InferenceEngine): void {
  describe(`${name}: InferenceEngine contract`, () => {
    let engine: InferenceEngine | null = null;
    afterEach(async () => {
      await engine?.close();
      engine = null;
    });

    it('runs nothing before a model is activated', async () => {
      engine = create();
      await rejectsWith(engine.run(new Float32Array(128 * 128)), 'MYO_ERR_ENGINE_UNAVAILABLE');
      expect(engine.active()).toBeNull();
      expect(engine.stats().available).toBe(false);
    });

    it('prepares a model beside the active one, runs either, and swaps on activate', async () => {
      engine = create();
      const pkg = await bundledPackage();
      const first = await engine.prepare(pkg);
      expect(first.provider).toBe('cpu');
      expect(first.id).toBe(pkg.manifest.id);
      expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
      // A prepared model answers validation runs before it serves.
      const shadow = await engine.run(new Float32Array(128 * 128), first);
      expect(shadow.outputs.logits).toHaveLength(2);
      await engine.activate(first);
      expect(engine.active()?.slot).toBe(first.slot);
      const second = await engine.prepare(pkg);
      expect(second.slot).not.toBe(first.slot);
      const served = await engine.run(new Float32Array(128 * 128).fill(0.5));
      expect(served.outputs.logits).toHaveLength(2);
      expect(served.outputs.attention).toHaveLength(256);
      expect(served.runtimeMs).toBeGreaterThanOrEqual(0);
      await rejectsWith(engine.discard(first), 'MYO_ERR_LIFECYCLE');
      await engine.activate(second);
      expect(engine.active()?.slot).toBe(second.slot);
      await expect(engine.run(new Float32Array(128 * 128))).resolves.toBeDefined();
      expect(engine.stats().runs).toBeGreaterThanOrEqual(3);
    });

    it('refuses runs after close', async () => {
      engine = create();
      const model = await engine.prepare(await bundledPackage());
      await engine.activate(model);
      await engine.close();
      await rejectsWith(engine.run(new Float32Array(128 * 128)), 'MYO_ERR_ENGINE_UNAVAILABLE');
    });
  });
}
