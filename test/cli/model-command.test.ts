import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/output.js';
import { DEV_PUBLIC_KEY_FILE, MODELS_DIR } from '../../src/infer/package/dev-key.js';
import { generateSigningKeyPair } from '../../src/infer/package/keys.js';

const BUNDLED = join(MODELS_DIR, 'myoscreen-lsnet', '1.0.0');

function io(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe('myoscreen model verify: whom the device trusts', () => {
  it('in demo mode (the default) the development key verifies the bundled model', async () => {
    const cli = io();
    expect(await runCli(['model', 'verify', BUNDLED, '--json'], cli)).toBe(0);
    expect(JSON.parse(cli.out[0] ?? '')).toMatchObject({ valid: true, keyId: 'myoscreen-dev-1' });
  });

  it('out of demo mode the development key is not trusted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myo-trust-'));
    writeFileSync(join(dir, 'fleet.pub.pem'), generateSigningKeyPair().publicKeyPem);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ models: { demo: false, trustedKeys: [{ id: 'fleet-1', publicKeyFile: join(dir, 'fleet.pub.pem') }] } }));
    const cli = io();
    expect(await runCli(['model', 'verify', BUNDLED, '--config', config, '--json'], cli)).toBe(77);
    expect(JSON.parse(cli.out[0] ?? '')).toMatchObject({ valid: false, code: 'MYO_ERR_MODEL_KEY_UNKNOWN' });
  });

  it('a production config without trusted keys is refused', async () => {
    const cli = io({ MYOSCREEN_MODELS_DEMO: 'false' });
    expect(await runCli(['model', 'verify', BUNDLED], cli)).toBe(78);
    expect(cli.err.join('')).toContain('models.trustedKeys');
  });

  it('an explicit --trust overrides the configuration', async () => {
    const cli = io({ MYOSCREEN_MODELS_DEMO: 'false' });
    expect(await runCli(['model', 'verify', BUNDLED, '--trust', `myoscreen-dev-1=${DEV_PUBLIC_KEY_FILE}`], cli)).toBe(0);
  });
});
