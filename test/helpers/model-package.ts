import { createHash, sign } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_PRIVATE_KEY_FILE, MODELS_DIR } from '../../src/infer/package/dev-key.js';
import { readPrivateKey } from '../../src/infer/package/keys.js';
import type { Manifest } from '../../src/infer/package/manifest-schema.js';

export const BUNDLED_PACKAGE = join(MODELS_DIR, 'myoscreen-lsnet', '1.0.0');

/** A private copy of the bundled package that a test may tamper with. */
export function copyBundledPackage(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'myo-pkg-')), 'pkg');
  cpSync(BUNDLED_PACKAGE, dir, { recursive: true });
  return dir;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Manifest;
}

/**
 * Rewrites the manifest (after `mutate`), refreshing the hashes of the files it lists, and signs it again with the
 * development key: the package is then authentic, so whatever the engine refuses it refuses for its content.
 */
export function resign(dir: string, mutate: (manifest: Manifest) => void = () => undefined): void {
  const manifest = readManifest(dir);
  for (const name of Object.keys(manifest.files)) {
    const bytes = readFileSync(join(dir, name));
    manifest.files[name] = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  }
  mutate(manifest);
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'model.json'), bytes);
  writeFileSync(join(dir, 'model.json.sig'), `${sign(null, bytes, readPrivateKey(DEV_PRIVATE_KEY_FILE)).toString('base64')}\n`);
}
