import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMyoError } from '../../src/core/errors.js';
import { WorkerEngine } from '../../src/infer/engine/worker-engine.js';
import { loadModelPackage } from '../../src/infer/model-loader.js';
import { DEV_KEY_ID, DEV_PUBLIC_KEY_FILE } from '../../src/infer/package/dev-key.js';
import { generateSigningKeyPair, publicKeyFromPem, readPublicKey, trustedKeys } from '../../src/infer/package/keys.js';
import { ensureBuilt } from '../helpers/ensure-built.js';
import { BUNDLED_PACKAGE, copyBundledPackage, resign } from '../helpers/model-package.js';
import { silentLogger } from '../helpers/silent-logger.js';

const trust = trustedKeys([{ id: DEV_KEY_ID, key: readPublicKey(DEV_PUBLIC_KEY_FILE) }]);
let engine: WorkerEngine;

beforeAll(async () => {
  ensureBuilt();
  engine = new WorkerEngine({
    settings: { providers: ['cpu'], intraOpThreads: 1, allowSpinning: false, graphOptimization: 'all', deviceId: 0 },
    warmupRuns: 1,
    hardTimeoutMs: 5000,
    loadTimeoutMs: 30_000,
    logger: silentLogger(),
  });
  // The good model serves first; every refusal below must leave it serving.
  await loadModelPackage(BUNDLED_PACKAGE, { engine, trust });
}, 120_000);

afterAll(async () => {
  await engine.close();
});

async function refusal(dir: string, keys = trust): Promise<string> {
  const before = engine.active();
  const error = await loadModelPackage(dir, { engine, trust: keys }).then(
    () => 'loaded',
    (e: unknown) => (isMyoError(e) ? e.code : String(e)),
  );
  expect(engine.active()).toBe(before);
  await expect(engine.run(new Float32Array(128 * 128))).resolves.toBeDefined();
  return error;
}

describe('loadModelPackage', () => {
  it('loads the bundled package: verified, golden vectors reproduced on this device', async () => {
    const loaded = await loadModelPackage(BUNDLED_PACKAGE, { engine, trust, activate: false });
    expect(loaded.golden.passed).toBe(true);
    expect(loaded.golden.cases).toBeGreaterThan(0);
    await engine.discard(loaded.model);
  });

  it('refuses a bad signature', async () => {
    const dir = copyBundledPackage();
    const sig = Buffer.from(readFileSync(join(dir, 'model.json.sig'), 'utf8').trim(), 'base64');
    sig[10] = (sig[10] ?? 0) ^ 0xff;
    writeFileSync(join(dir, 'model.json.sig'), sig.toString('base64'));
    expect(await refusal(dir)).toBe('MYO_ERR_MODEL_SIGNATURE');
  });

  it('refuses a package signed by a key this device does not trust', async () => {
    const other = generateSigningKeyPair();
    const keys = trustedKeys([{ id: 'fleet-2030', key: publicKeyFromPem(other.publicKeyPem) }]);
    expect(await refusal(BUNDLED_PACKAGE, keys)).toBe('MYO_ERR_MODEL_KEY_UNKNOWN');
  });

  it('refuses a model file whose hash does not match the manifest', async () => {
    const dir = copyBundledPackage();
    const onnx = readFileSync(join(dir, 'model.onnx'));
    onnx[onnx.length - 100] = (onnx[onnx.length - 100] ?? 0) ^ 0x01;
    writeFileSync(join(dir, 'model.onnx'), onnx);
    expect(await refusal(dir)).toBe('MYO_ERR_MODEL_FILE');
  });

  it('refuses a signed package whose manifest input shape differs from the graph', async () => {
    const dir = copyBundledPackage();
    resign(dir, (m) => {
      m.input.shape = [1, 1, 96, 96];
    });
    expect(await refusal(dir)).toBe('MYO_ERR_MODEL_IO_MISMATCH');
  });

  it('refuses a signed package whose manifest names an output the graph lacks', async () => {
    const dir = copyBundledPackage();
    resign(dir, (m) => {
      m.outputs = [...m.outputs, { name: 'depth', shape: [1, 1] }];
    });
    expect(await refusal(dir)).toBe('MYO_ERR_MODEL_IO_MISMATCH');
  });

  it('refuses a signed package that does not reproduce its golden vectors', async () => {
    const dir = copyBundledPackage();
    const golden = JSON.parse(readFileSync(join(dir, 'golden.json'), 'utf8')) as { cases: { expected: { logits: number[] } }[] };
    const first = golden.cases[0];
    if (!first) throw new Error('golden has no cases');
    first.expected.logits = first.expected.logits.map((v) => v + 0.5);
    writeFileSync(join(dir, 'golden.json'), JSON.stringify(golden));
    resign(dir);
    expect(await refusal(dir)).toBe('MYO_ERR_MODEL_GOLDEN');
  });
});
