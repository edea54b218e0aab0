import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MyoError } from '../../core/errors.js';

/** Trusted signing keys by key id. A device trusts only the keys its configuration names (several during rotation). */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

function ensureEd25519(key: KeyObject, where: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new MyoError('MYO_ERR_KEY_INVALID', `${where}: not an ed25519 key (${key.asymmetricKeyType ?? 'unknown'})`);
  }
  return key;
}

export function publicKeyFromPem(pem: string, where = 'public key'): KeyObject {
  try {
    return ensureEd25519(createPublicKey(pem), where);
  } catch (error) {
    if (error instanceof MyoError) throw error;
    throw new MyoError('MYO_ERR_KEY_INVALID', `${where}: cannot parse PEM public key`, {}, { cause: error });
  }
}

export function privateKeyFromPem(pem: string, where = 'private key'): KeyObject {
  try {
    return ensureEd25519(createPrivateKey(pem), where);
  } catch (error) {
    if (error instanceof MyoError) throw error;
    throw new MyoError('MYO_ERR_KEY_INVALID', `${where}: cannot parse PEM private key`, {}, { cause: error });
  }
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new MyoError('MYO_ERR_KEY_INVALID', `cannot read key file ${file}`, { file }, { cause: error });
  }
}

export function readPublicKey(file: string): KeyObject {
  return publicKeyFromPem(readKeyFile(file), file);
}

export function readPrivateKey(file: string): KeyObject {
  return privateKeyFromPem(readKeyFile(file), file);
}

export function trustedKeys(entries: readonly { id: string; key: KeyObject }[]): TrustedKeys {
  return new Map(entries.map((entry) => [entry.id, entry.key]));
}

/** A fresh key pair as PEM, for `myoscreen model keygen` and tests. */
export function generateSigningKeyPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
