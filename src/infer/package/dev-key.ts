import { join } from 'node:path';
import { PROJECT_ROOT } from '../../core/version.js';

/**
 * The development signing key that signs the bundled demo model. Its private half is published in the repository on
 * purpose (see models/keys/README.md), so the daemon trusts it only in demo mode.
 */
export const DEV_KEY_ID = 'myoscreen-dev-1';
export const DEV_PUBLIC_KEY_FILE = join(PROJECT_ROOT, 'models', 'keys', `${DEV_KEY_ID}.pub.pem`);
export const DEV_PRIVATE_KEY_FILE = join(PROJECT_ROOT, 'models', 'keys', `${DEV_KEY_ID}.DEVELOPMENT-ONLY.key.pem`);
export const MODELS_DIR = join(PROJECT_ROOT, 'models');
