import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/index.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const deployFile = (name: string): string => join(REPO, 'deploy', 'jetson', name);

/** Runs scripts/check-deploy.sh <part>; resolves with its exit code and output (never rejects on a non-zero exit). */
function checkDeploy(part: string, env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['scripts/check-deploy.sh', part], { cwd: REPO, env: { ...process.env, ...env }, timeout: 25_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('scripts/check-deploy.sh', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('systemd-analyze verify passes on the units', async () => {
    const { code, output } = await checkDeploy('verify');
    expect(output).toContain('verify: ok');
    expect(code).toBe(0);
  }, 30_000);

  it('verify fails on a unit with a mistyped key (so the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myo-units-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'myoscreen.service'), readFileSync(deployFile('myoscreen.service'), 'utf8').replace('WatchdogSec=30s', 'WatchdogSecs=30s'));
    const { code, output } = await checkDeploy('verify', { CHECK_DEPLOY_UNITS: dir });
    expect(code).not.toBe(0);
    expect(output).toContain("Unknown key 'WatchdogSecs'");
  }, 30_000);

  it('shellcheck is clean on every shell script', async () => {
    const { code, output } = await checkDeploy('lint');
    expect(output).toContain('shellcheck: ok');
    expect(output).toContain('deploy/jetson/install.sh');
    expect(output).toContain('scripts/check-deploy.sh');
    expect(code).toBe(0);
  }, 30_000);

  it('install.sh twice into a DESTDIR gives identical trees; upgrade keeps previous; uninstall --purge leaves nothing', async () => {
    const { code, output } = await checkDeploy('install');
    expect(output).toContain('install: ok (two installs identical');
    expect(code).toBe(0);
  }, 30_000);
});

describe('deploy/jetson files', () => {
  it('the config template is a valid configuration for a cart', () => {
    const { config } = loadConfig({ file: deployFile('config.template.json'), env: {} });
    expect(config.state.dir).toBe('/var/lib/myoscreen');
    expect(config.capture.v4l2.device).toBe('/dev/myoscreen-capture');
    expect(config.display.port).toBe('/dev/myoscreen-display');
    expect(config.inference.providers).toEqual(['tensorrt', 'cuda', 'cpu']);
    // The unit's ReadWritePaths must cover every folder the daemon writes to.
    const unit = readFileSync(deployFile('myoscreen.service'), 'utf8');
    const writable = /^ReadWritePaths=(.*)$/m.exec(unit)?.[1]?.split(/\s+/) ?? [];
    for (const dir of [config.state.dir, config.inference.tensorrt.cacheDir]) {
      expect(writable.some((w) => dir === w || dir.startsWith(`${w}/`))).toBe(true);
    }
  });

  it('the unit restarts on exit 75, never on a bad configuration, and runs hardened as its own user', () => {
    const unit = readFileSync(deployFile('myoscreen.service'), 'utf8');
    const value = (key: string): string | undefined => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1];
    expect(value('Type')).toBe('notify');
    expect(value('RestartForceExitStatus')).toBe('75');
    expect(value('RestartPreventExitStatus')?.split(' ')).toContain('78');
    expect(value('User')).toBe('myoscreen');
    expect(value('SupplementaryGroups')?.split(' ').sort()).toEqual(['dialout', 'video']);
    expect(value('ProtectSystem')).toBe('strict');
    expect(value('NoNewPrivileges')).toBe('yes');
    expect(value('PrivateTmp')).toBe('yes');
    expect(value('WatchdogSec')).toBe('30s');
    expect(value('PrivateDevices')).toBeUndefined();
  });

  it('every udev rule line is key-op-value pairs and names the stable device links', () => {
    const rules = readFileSync(deployFile('udev/70-myoscreen.rules'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    const pair = /^\s*[A-Z_]+(\{[^}]+\})?\s*(==|!=|\+=|=|:=)\s*"[^"]*"\s*$/;
    for (const rule of rules) {
      for (const part of rule.split(/,(?=\s*[A-Z_]+(?:\{[^}]+\})?\s*(?:==|!=|\+=|=|:=))/)) expect(part).toMatch(pair);
    }
    const text = rules.join('\n');
    for (const id of ['1a86', '10c4', '0403', '534d', '345f']) expect(text).toContain(`ATTRS{idVendor}=="${id}"`);
    expect(rules.filter((r) => r.includes('SYMLINK+="myoscreen-display"'))).toHaveLength(3);
    expect(rules.filter((r) => r.includes('SYMLINK+="myoscreen-capture"'))).toHaveLength(3);
    // a UVC grabber's metadata node must not take the capture name
    for (const rule of rules.filter((r) => r.includes('myoscreen-capture') && r.includes('idVendor'))) expect(rule).toContain('ATTR{index}=="0"');
  });
});
