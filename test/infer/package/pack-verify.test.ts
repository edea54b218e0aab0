import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MyoError } from '../../../src/core/errors.js';
import { generateSigningKeyPair, privateKeyFromPem, publicKeyFromPem, trustedKeys } from '../../../src/infer/package/keys.js';
import { packModel } from '../../../src/infer/package/pack.js';
import { verifyPackage } from '../../../src/infer/package/verify.js';
import { writeFakeExport } from '../../helpers/fake-export.js';

const pair = generateSigningKeyPair();
const privateKey = privateKeyFromPem(pair.privateKeyPem);
const trusted = trustedKeys([{ id: 'test-key', key: publicKeyFromPem(pair.publicKeyPem) }]);

async function packed(): Promise<string> {
  const modelsDir = mkdtempSync(join(tmpdir(), 'myo-models-'));
  const { dir } = await packModel({ exportDir: writeFakeExport(), modelsDir, privateKey, keyId: 'test-key', securityVersion: 3 });
  return dir;
}

async function refusal(dir: string, keys = trusted): Promise<MyoError> {
  try {
    await verifyPackage(dir, keys);
  } catch (error) {
    if (error instanceof MyoError) return error;
    throw error;
  }
  throw new Error('expected verifyPackage to refuse the package');
}

describe('model package pack + verify', () => {
  it('packs into <id>/<version>/ with a manifest that verifies', async () => {
    const dir = await packed();
    expect(dir.endsWith(join('lsnet-test', '1.2.3'))).toBe(true);
    const { manifest } = await verifyPackage(dir, trusted);
    expect(manifest.securityVersion).toBe(3);
    expect(manifest.keyId).toBe('test-key');
    expect(Object.keys(manifest.files).sort()).toEqual(['golden.json', 'model.onnx']);
    expect(manifest.input.dtype).toBe('float32');
    expect(manifest.operatingPoint).toMatchObject({ threshold: 0.3, chosenFor: 'sensitivity>=0.995', data: 'validation' });
    expect(manifest.golden.tolerance).toEqual({ logits_abs: 1e-3 });
  });

  it('refuses to overwrite an existing package unless forced', async () => {
    const modelsDir = mkdtempSync(join(tmpdir(), 'myo-models-'));
    const options = { exportDir: writeFakeExport(), modelsDir, privateKey, keyId: 'test-key', securityVersion: 1 };
    await packModel(options);
    await expect(packModel(options)).rejects.toMatchObject({ code: 'MYO_ERR_IO' });
    await expect(packModel({ ...options, force: true })).resolves.toBeDefined();
  });

  it('refuses a tampered model file', async () => {
    const dir = await packed();
    const path = join(dir, 'model.onnx');
    const bytes = readFileSync(path);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    expect((await refusal(dir)).code).toBe('MYO_ERR_MODEL_FILE');
  });

  it('refuses a file of the wrong size', async () => {
    const dir = await packed();
    appendFileSync(join(dir, 'golden.json'), ' ');
    const error = await refusal(dir);
    expect(error.code).toBe('MYO_ERR_MODEL_FILE');
    expect(error.message).toContain('golden.json');
  });

  it('refuses an edited manifest (signature covers its exact bytes)', async () => {
    const dir = await packed();
    const path = join(dir, 'model.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"securityVersion": 3', '"securityVersion": 9'));
    expect((await refusal(dir)).code).toBe('MYO_ERR_MODEL_SIGNATURE');
  });

  it('refuses a package signed by a key it does not trust', async () => {
    const dir = await packed();
    const other = generateSigningKeyPair();
    const error = await refusal(dir, trustedKeys([{ id: 'other', key: publicKeyFromPem(other.publicKeyPem) }]));
    expect(error.code).toBe('MYO_ERR_MODEL_KEY_UNKNOWN');
  });

  it('refuses a signature made by another key under a trusted id', async () => {
    const dir = await packed();
    const other = generateSigningKeyPair();
    const error = await refusal(dir, trustedKeys([{ id: 'test-key', key: publicKeyFromPem(other.publicKeyPem) }]));
    expect(error.code).toBe('MYO_ERR_MODEL_SIGNATURE');
  });

  it('refuses a garbled or missing signature file', async () => {
    const dir = await packed();
    writeFileSync(join(dir, 'model.json.sig'), 'not base64 at all!');
    expect((await refusal(dir)).code).toBe('MYO_ERR_MODEL_SIGNATURE');
    expect((await refusal(join(dir, 'nope'))).code).toBe('MYO_ERR_MODEL_FILE');
  });

  it('refuses an export whose file names would escape the package', async () => {
    const exportDir = writeFakeExport({ files: { model: '../../etc/passwd', golden: 'golden.json' } });
    const modelsDir = mkdtempSync(join(tmpdir(), 'myo-models-'));
    await expect(
      packModel({ exportDir, modelsDir, privateKey, keyId: 'test-key', securityVersion: 1 }),
    ).rejects.toMatchObject({ code: 'MYO_ERR_MODEL_EXPORT_INVALID', message: expect.stringContaining('/files/model') as unknown });
  });

  it('refuses an export that lacks what the manifest needs', async () => {
    const exportDir = writeFakeExport({ operating_point: { threshold: 'high' } });
    const modelsDir = mkdtempSync(join(tmpdir(), 'myo-models-'));
    await expect(
      packModel({ exportDir, modelsDir, privateKey, keyId: 'test-key', securityVersion: 1 }),
    ).rejects.toMatchObject({ code: 'MYO_ERR_MODEL_EXPORT_INVALID' });
  });
});
