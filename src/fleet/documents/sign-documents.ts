import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Static } from '@sinclair/typebox';
import { MyoError } from '../../core/errors.js';
import { MANIFEST_FILE, SIGNATURE_FILE, parseManifest } from '../../infer/package/verify.js';
import type { DesiredPayloadSchema, JobPayloadSchema } from '../../telemetry/contract/job-payloads.js';
import { signPayload } from './signed-document.js';
import type { DocumentSigningKey, ModelTarget, VerifiedDesired, VerifiedJob } from './types.js';

/** Operator side: turns a job or a desired state into the signed bytes a cart reads (docs/fleet.md). */

export function signJobDocument(job: Omit<VerifiedJob, 'kind' | 'keyId'>, key: DocumentSigningKey): Buffer {
  const payload: Static<typeof JobPayloadSchema> = {
    v: 1,
    kind: 'model_update',
    jobId: job.jobId,
    deviceId: job.deviceId,
    target: { ...job.target },
    issuedAt: job.issuedAt,
    expiresAt: job.expiresAt,
  };
  return signPayload(JSON.stringify(payload), key);
}

export function signDesiredDocument(desired: Omit<VerifiedDesired, 'kind' | 'keyId'>, key: DocumentSigningKey): Buffer {
  const payload: Static<typeof DesiredPayloadSchema> = {
    v: 1,
    kind: 'group_desired',
    group: desired.group,
    revision: desired.revision,
    target: desired.target === null ? null : { ...desired.target },
    issuedAt: desired.issuedAt,
    expiresAt: desired.expiresAt,
  };
  return signPayload(JSON.stringify(payload), key);
}

/**
 * The target for a package folder as the operator has it: what its manifest says, the hash of its exact bytes and
 * the total size, so the cart can refuse a swapped manifest and an oversized package before fetching the files.
 * The package's own signature is not checked here (`myoscreen model verify` does that); the cart checks it again.
 */
export async function targetFromPackage(dir: string, baseUrl: string, opts: { allowDowngrade?: boolean } = {}): Promise<ModelTarget> {
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readFile(join(dir, MANIFEST_FILE));
  } catch (error) {
    throw new MyoError('MYO_ERR_MODEL_FILE', `no ${MANIFEST_FILE} in ${dir}`, { dir }, { cause: error });
  }
  const manifest = parseManifest(manifestBytes);
  const sizeOf = async (name: string): Promise<number> => {
    try {
      return (await stat(join(dir, name))).size;
    } catch (error) {
      throw new MyoError('MYO_ERR_MODEL_FILE', `${name} is missing from ${dir}`, { dir, file: name }, { cause: error });
    }
  };
  let totalBytes = manifestBytes.length + (await sizeOf(SIGNATURE_FILE));
  for (const [name, file] of Object.entries(manifest.files)) {
    const actual = await sizeOf(name);
    if (actual !== file.size) throw new MyoError('MYO_ERR_MODEL_FILE', `${name} is ${actual} bytes, the manifest says ${file.size}`, { file: name });
    totalBytes += file.size;
  }
  return {
    id: manifest.id,
    version: manifest.version,
    securityVersion: manifest.securityVersion,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    totalBytes,
    allowDowngrade: opts.allowDowngrade ?? false,
  };
}
