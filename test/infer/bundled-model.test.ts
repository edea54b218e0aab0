import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DEV_KEY_ID, DEV_PUBLIC_KEY_FILE, MODELS_DIR } from '../../src/infer/package/dev-key.js';
import { checkGolden } from '../../src/infer/package/golden.js';
import { readPublicKey, trustedKeys } from '../../src/infer/package/keys.js';
import { verifyPackage } from '../../src/infer/package/verify.js';

/** Every `models/<id>/<version>/` folder that holds a manifest: the bundled, signed packages. */
function bundledPackages(): string[] {
  const found: string[] = [];
  for (const id of readdirSync(MODELS_DIR, { withFileTypes: true })) {
    if (!id.isDirectory() || id.name === 'keys') continue;
    for (const version of readdirSync(join(MODELS_DIR, id.name), { withFileTypes: true })) {
      if (version.isDirectory() && !version.name.startsWith('.')) found.push(join(MODELS_DIR, id.name, version.name));
    }
  }
  return found;
}

const packages = bundledPackages();

describe('the bundled model package', () => {
  it('exists', () => {
    expect(packages.length).toBeGreaterThan(0);
  });

  it.each(packages)('%s verifies, loads in onnxruntime-node and reproduces its golden vectors', async (dir) => {
    const keys = trustedKeys([{ id: DEV_KEY_ID, key: readPublicKey(DEV_PUBLIC_KEY_FILE) }]);
    const { manifest, modelPath } = await verifyPackage(dir, keys);
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
    try {
      expect(session.inputNames).toEqual([manifest.input.name]);
      expect([...session.outputNames].sort()).toEqual(manifest.outputs.map((o) => o.name).sort());
      const report = await checkGolden(dir, manifest, async (input) => {
        const tensor = new ort.Tensor('float32', input, [...manifest.input.shape]);
        const results = await session.run({ [manifest.input.name]: tensor });
        const out: Record<string, Float32Array> = {};
        for (const spec of manifest.outputs) {
          const value = results[spec.name];
          if (!value) throw new Error(`model gave no ${spec.name}`);
          expect([...value.dims]).toEqual(spec.shape);
          out[spec.name] = value.data as Float32Array;
        }
        return out;
      });
      expect(report.failures).toEqual([]);
      expect(report.cases).toBeGreaterThanOrEqual(4);
      expect(report.preprocessDiff).toBeLessThanOrEqual(1e-5);
      expect(report.passed).toBe(true);
      expect(manifest.compute.macs).toBeLessThanOrEqual(0.289e9);
    } finally {
      await session.release();
    }
  });
});
