import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MyoError, toMyoError } from '../core/errors.js';
import { loadConfig } from '../core/config/index.js';
import { DEV_KEY_ID, DEV_PRIVATE_KEY_FILE, MODELS_DIR } from '../infer/package/dev-key.js';
import { trustFromConfig } from '../infer/package/trust.js';
import { generateSigningKeyPair, readPrivateKey, readPublicKey, trustedKeys } from '../infer/package/keys.js';
import { packModel } from '../infer/package/pack.js';
import { verifyPackage } from '../infer/package/verify.js';
import { printJson, type CliIo } from './output.js';

const USAGE = `usage:
  myoscreen model pack EXPORT_DIR [--key FILE --key-id ID] [--security-version N] [--models-dir DIR] [--force] [--json]
        sign a training export (model.onnx, export.json, golden.json) into MODELS_DIR/<id>/<version>/
        (default key: the development key ${DEV_KEY_ID}, for the demo model only)
  myoscreen model verify DIR [--trust ID=PUBLIC_KEY_FILE ...] [--config FILE] [--json]
        check signature and hashes (default trust: models.trustedKeys, plus the development key when models.demo)
  myoscreen model keygen --key-id ID --out-dir DIR
        make a new ed25519 signing key pair`;

function parseTrust(entries: readonly string[]): { id: string; key: ReturnType<typeof readPublicKey> }[] {
  return entries.map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new MyoError('MYO_ERR_USAGE', `--trust takes ID=PUBLIC_KEY_FILE, got "${entry}"`);
    return { id: entry.slice(0, at), key: readPublicKey(entry.slice(at + 1)) };
  });
}

export async function modelCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      key: { type: 'string' },
      'key-id': { type: 'string' },
      'security-version': { type: 'string' },
      'models-dir': { type: 'string' },
      'out-dir': { type: 'string' },
      config: { type: 'string', short: 'c' },
      trust: { type: 'string', multiple: true },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  switch (sub) {
    case 'pack': {
      const exportDir = positionals[0];
      if (!exportDir) throw new MyoError('MYO_ERR_USAGE', `model pack needs EXPORT_DIR\n${USAGE}`);
      if ((values.key === undefined) !== (values['key-id'] === undefined)) {
        throw new MyoError('MYO_ERR_USAGE', '--key and --key-id go together');
      }
      const securityVersion = Number(values['security-version'] ?? '1');
      if (!Number.isInteger(securityVersion) || securityVersion < 0) {
        throw new MyoError('MYO_ERR_USAGE', '--security-version must be a non-negative integer');
      }
      const { dir, manifest } = await packModel({
        exportDir,
        modelsDir: values['models-dir'] ?? MODELS_DIR,
        privateKey: readPrivateKey(values.key ?? DEV_PRIVATE_KEY_FILE),
        keyId: values['key-id'] ?? DEV_KEY_ID,
        securityVersion,
        force: values.force,
      });
      if (values.json) printJson(io, { dir, id: manifest.id, version: manifest.version, keyId: manifest.keyId, files: manifest.files });
      else io.stdout(`packed ${manifest.id} ${manifest.version} into ${dir} (signed by ${manifest.keyId})\n`);
      return 0;
    }
    case 'verify': {
      const dir = positionals[0];
      if (!dir) throw new MyoError('MYO_ERR_USAGE', `model verify needs DIR\n${USAGE}`);
      try {
        // Explicit --trust wins; otherwise the device's own trust: config keys, plus the development key in demo mode.
        const keys = values.trust?.length
          ? trustedKeys(parseTrust(values.trust))
          : trustFromConfig(loadConfig({ file: values.config ?? io.env.MYOSCREEN_CONFIG, env: io.env }).config.models);
        const verified = await verifyPackage(dir, keys);
        const { manifest } = verified;
        if (values.json) {
          printJson(io, { valid: true, dir, id: manifest.id, version: manifest.version, securityVersion: manifest.securityVersion, keyId: manifest.keyId });
        } else {
          io.stdout(`${dir}: valid (${manifest.id} ${manifest.version}, security version ${manifest.securityVersion}, signed by ${manifest.keyId})\n`);
        }
        return 0;
      } catch (error) {
        const coded = toMyoError(error);
        if (values.json) printJson(io, { valid: false, dir, code: coded.code, message: coded.message });
        else io.stderr(`${dir}: ${coded.code}: ${coded.message}\n`);
        return coded.exitCode;
      }
    }
    case 'keygen': {
      const keyId = values['key-id'];
      const outDir = values['out-dir'];
      if (!keyId || !outDir) throw new MyoError('MYO_ERR_USAGE', `model keygen needs --key-id and --out-dir\n${USAGE}`);
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(keyId)) throw new MyoError('MYO_ERR_USAGE', 'key id: letters, digits, . _ - only');
      const pair = generateSigningKeyPair();
      await mkdir(outDir, { recursive: true });
      await writeFile(join(outDir, `${keyId}.pub.pem`), pair.publicKeyPem, { flag: 'wx' });
      await writeFile(join(outDir, `${keyId}.key.pem`), pair.privateKeyPem, { flag: 'wx', mode: 0o600 });
      io.stdout(`wrote ${join(outDir, `${keyId}.pub.pem`)} and ${join(outDir, `${keyId}.key.pem`)} (keep the private key offline)\n`);
      return 0;
    }
    default:
      throw new MyoError('MYO_ERR_USAGE', `unknown model subcommand "${sub ?? ''}"\n${USAGE}`);
  }
}
