import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { generateSigningKeyPair } from '../../../src/infer/package/keys.js';
import type { DocumentSigningKey, ModelTarget } from '../../../src/fleet/documents/types.js';

/** A fresh operator key: the private half to sign with, the public half for a cart's trust. */
export function operatorKey(id: string): DocumentSigningKey & { publicKey: KeyObject } {
  const pair = generateSigningKeyPair();
  return { id, privateKey: createPrivateKey(pair.privateKeyPem), publicKey: createPublicKey(pair.publicKeyPem) };
}

export const TARGET: ModelTarget = {
  id: 'myoscreen-lsnet',
  version: '1.1.0',
  securityVersion: 2,
  baseUrl: 'https://fleet.example/models/myoscreen-lsnet/1.1.0',
  manifestSha256: 'c'.repeat(64),
  totalBytes: 5_477_000,
  allowDowngrade: false,
};

export const NOW = new Date('2026-03-01T12:00:00.000Z');
export const ISSUED = '2026-03-01T11:00:00.000Z';
export const LATER = '2026-03-02T12:00:00.000Z';
export const EARLIER = '2026-03-01T11:30:00.000Z';
