import { verify as verifySignature } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { MyoError } from '../../core/errors.js';
import { hashFile } from './files.js';
import type { TrustedKeys } from './keys.js';
import { ManifestSchema, type Manifest } from './manifest-schema.js';

export const MANIFEST_FILE = 'model.json';
export const SIGNATURE_FILE = 'model.json.sig';
/** A manifest is a few KiB; anything much larger is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

export interface VerifiedPackage {
  readonly dir: string;
  readonly manifest: Manifest;
  /** The exact bytes that were signed (kept so the package can be copied without re-serialising). */
  readonly manifestBytes: Buffer;
  /** Absolute path of the ONNX file. */
  readonly modelPath: string;
}

async function readLimited(path: string, limit: number, what: string): Promise<Buffer> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    throw new MyoError('MYO_ERR_MODEL_FILE', `${what} is missing: ${path}`, { path }, { cause: error });
  }
  if (!info.isFile()) throw new MyoError('MYO_ERR_MODEL_FILE', `${what} is not a regular file: ${path}`, { path });
  if (info.size > limit) throw new MyoError('MYO_ERR_MODEL_FILE', `${what} is too large (${info.size} bytes): ${path}`, { path });
  return readFile(path);
}

export function parseManifest(bytes: Buffer): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', 'model.json is not valid JSON', {}, { cause: error });
  }
  const first = Value.Errors(ManifestSchema, parsed).First();
  if (first) {
    const path = first.path === '' ? '(root)' : first.path.slice(1).replace(/\//g, '.');
    throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', `model.json: ${path}: ${first.message}`, { path });
  }
  const manifest = parsed as Manifest;
  for (const name of [manifest.model, manifest.golden.file]) {
    if (!(name in manifest.files)) {
      throw new MyoError('MYO_ERR_MODEL_MANIFEST_INVALID', `model.json: ${name} is used but not listed in files`, { file: name });
    }
  }
  return manifest;
}

/**
 * Checks a package folder before anything in it is used: the manifest's signature by a trusted key over its exact
 * bytes, then every listed file's size and sha256. Nothing is loaded whose signature or hashes do not check out; the
 * input/output signature against the ONNX graph is checked when the engine opens the model.
 */
export async function verifyPackage(dir: string, keys: TrustedKeys): Promise<VerifiedPackage> {
  const manifestBytes = await readLimited(join(dir, MANIFEST_FILE), MAX_MANIFEST_BYTES, 'manifest');
  const signatureText = (await readLimited(join(dir, SIGNATURE_FILE), 4096, 'signature')).toString('utf8').trim();
  const signature = Buffer.from(signatureText, 'base64');
  if (signature.length !== 64 || signature.toString('base64') !== signatureText) {
    throw new MyoError('MYO_ERR_MODEL_SIGNATURE', 'model.json.sig is not a base64 ed25519 signature', { dir });
  }
  const manifest = parseManifest(manifestBytes);
  const key = keys.get(manifest.keyId);
  if (!key) {
    throw new MyoError('MYO_ERR_MODEL_KEY_UNKNOWN', `package is signed with key "${manifest.keyId}", which is not trusted here`, {
      keyId: manifest.keyId,
      trusted: [...keys.keys()],
    });
  }
  if (!verifySignature(null, manifestBytes, key, signature)) {
    throw new MyoError('MYO_ERR_MODEL_SIGNATURE', `signature of ${dir}/model.json does not verify with key "${manifest.keyId}"`, {
      keyId: manifest.keyId,
    });
  }
  for (const [name, expected] of Object.entries(manifest.files)) {
    const path = join(dir, name);
    const info = await lstat(path).catch((error: unknown) => {
      throw new MyoError('MYO_ERR_MODEL_FILE', `${name} is missing from the package`, { file: name }, { cause: error });
    });
    if (!info.isFile()) throw new MyoError('MYO_ERR_MODEL_FILE', `${name} is not a regular file`, { file: name });
    if (info.size !== expected.size) {
      throw new MyoError('MYO_ERR_MODEL_FILE', `${name} is ${info.size} bytes, the manifest says ${expected.size}`, { file: name });
    }
    const actual = await hashFile(path);
    if (actual.sha256 !== expected.sha256) {
      throw new MyoError('MYO_ERR_MODEL_FILE', `${name} does not match its sha256 in the manifest`, { file: name });
    }
  }
  return { dir, manifest, manifestBytes, modelPath: join(dir, manifest.model) };
}
