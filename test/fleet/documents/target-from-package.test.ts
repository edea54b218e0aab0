import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetFromPackage } from '../../../src/fleet/documents/sign-documents.js';
import { BUNDLED_PACKAGE, copyBundledPackage } from '../../helpers/model-package.js';

describe('targetFromPackage', () => {
  it('describes the bundled package: manifest hash, total size of every file served, no trailing slash', async () => {
    const target = await targetFromPackage(BUNDLED_PACKAGE, 'https://fleet.example/models/myoscreen-lsnet/1.0.0/');
    const size = (name: string): number => statSync(join(BUNDLED_PACKAGE, name)).size;
    expect(target).toEqual({
      id: 'myoscreen-lsnet',
      version: '1.0.0',
      securityVersion: 1,
      baseUrl: 'https://fleet.example/models/myoscreen-lsnet/1.0.0',
      manifestSha256: createHash('sha256').update(readFileSync(join(BUNDLED_PACKAGE, 'model.json'))).digest('hex'),
      totalBytes: size('model.json') + size('model.json.sig') + size('model.onnx') + size('golden.json'),
      allowDowngrade: false,
    });
  });

  it('refuses a package whose file differs in size from its manifest', async () => {
    const dir = copyBundledPackage();
    writeFileSync(join(dir, 'golden.json'), '{}');
    await expect(targetFromPackage(dir, 'https://x.example/p')).rejects.toMatchObject({ code: 'MYO_ERR_MODEL_FILE' });
  });
});
