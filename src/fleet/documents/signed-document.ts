import { sign, verify } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { MyoError } from '../../core/errors.js';
import type { TrustedKeys } from '../../infer/package/keys.js';
import { readUntrustedJson } from '../../telemetry/contract/hostile-json.js';
import { JobDocumentSchema } from '../../telemetry/contract/job-payloads.js';
import type { DocumentSigningKey } from './types.js';

/** The wrapper both document kinds share (the job's and the group's schemas differ only in what `payload` holds). */
type SignedDocument = Static<typeof JobDocumentSchema>;

/** Wraps a JSON text in the signed document format: the signature covers exactly these UTF-8 bytes. */
export function signPayload(payloadText: string, key: DocumentSigningKey): Buffer {
  const sig = sign(null, Buffer.from(payloadText, 'utf8'), key.privateKey).toString('base64');
  const document: SignedDocument = { v: 1, alg: 'ed25519', keyId: key.id, payload: payloadText, sig };
  return Buffer.from(JSON.stringify(document));
}

function malformed(reason: string, what: string): MyoError {
  return new MyoError('MYO_ERR_DOC_MALFORMED', `${what}: ${reason}`, { reason });
}

function schemaProblem(errors: ReturnType<typeof Value.Errors>): string {
  const first = errors.First();
  if (!first) return 'does not match its schema';
  return `${first.path === '' ? '(root)' : first.path.slice(1).replace(/\//g, '.')}: ${first.message}`;
}

/**
 * Reads the signed wrapper and returns the verified payload, still untyped: the signature is checked before the
 * payload text is parsed, so nothing an attacker wrote is looked at beyond the wrapper's shape.
 */
export function openSignedDocument(bytes: Buffer, trusted: TrustedKeys, what: string): { value: unknown; keyId: string } {
  const read = readUntrustedJson(bytes);
  if (!read.ok) throw malformed(read.reason, what);
  // Both kinds share one wrapper schema; the payload's own schema is checked by the caller after parsing.
  if (!Value.Check(JobDocumentSchema, read.value)) throw malformed(schemaProblem(Value.Errors(JobDocumentSchema, read.value)), what);
  const document = read.value;
  const key = trusted.get(document.keyId);
  if (!key) {
    throw new MyoError('MYO_ERR_DOC_UNKNOWN_KEY', `${what} is signed with key "${document.keyId}", which is not trusted here`, {
      keyId: document.keyId,
      trusted: [...trusted.keys()],
    });
  }
  const signature = Buffer.from(document.sig, 'base64');
  if (!verify(null, Buffer.from(document.payload, 'utf8'), key, signature)) {
    throw new MyoError('MYO_ERR_DOC_SIGNATURE', `${what} signature does not verify with key "${document.keyId}"`, { keyId: document.keyId });
  }
  const payload = readUntrustedJson(Buffer.from(document.payload, 'utf8'));
  if (!payload.ok) throw malformed(`payload: ${payload.reason}`, what);
  return { value: payload.value, keyId: document.keyId };
}

export { schemaProblem };
