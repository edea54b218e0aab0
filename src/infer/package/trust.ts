import type { Config } from '../../core/config/index.js';
import { DEV_KEY_ID, DEV_PUBLIC_KEY_FILE } from './dev-key.js';
import { readPublicKey, trustedKeys, type TrustedKeys } from './keys.js';

/**
 * The keys this device trusts: those its configuration names, plus the development key only in demo mode, since
 * the development private key is published and proves nothing about who signed a package.
 */
export function trustFromConfig(models: Config['models']): TrustedKeys {
  const entries = models.trustedKeys.map((entry) => ({ id: entry.id, key: readPublicKey(entry.publicKeyFile) }));
  if (models.demo && !entries.some((entry) => entry.id === DEV_KEY_ID)) {
    entries.push({ id: DEV_KEY_ID, key: readPublicKey(DEV_PUBLIC_KEY_FILE) });
  }
  return trustedKeys(entries);
}
