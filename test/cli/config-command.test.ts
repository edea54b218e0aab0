import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/output.js';

function capture(env: Record<string, string> = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'myo-cli-')), 'c.json');
  writeFileSync(path, content);
  return path;
}

describe('myoscreen config', () => {
  it('check accepts a valid file', async () => {
    const io = capture();
    const path = file('{"api":{"port":8181}}');
    expect(await runCli(['config', 'check', path], io)).toBe(0);
    expect(io.out.join('')).toContain('valid');
  });

  it('check refuses a bad file with the key path, the reason and exit code 78', async () => {
    const io = capture();
    const path = file('{"capture":{"fps":500,"sorce":"x"}}');
    expect(await runCli(['config', 'check', path], io)).toBe(78);
    const text = io.err.join('');
    expect(text).toContain('MYO_ERR_CONFIG_INVALID');
    expect(text).toContain('capture.fps');
    expect(text).toContain('capture.sorce');
  });

  it('check --json prints one object with the issues', async () => {
    const io = capture();
    expect(await runCli(['config', 'check', file('{"api":{"port":"x"}}'), '--json'], io)).toBe(78);
    expect(io.out).toHaveLength(1);
    const report = JSON.parse(io.out[0] ?? '') as { valid: boolean; issues: { path: string }[] };
    expect(report.valid).toBe(false);
    expect(report.issues[0]?.path).toBe('api.port');
  });

  it('check sees environment overrides too', async () => {
    const io = capture({ MYOSCREEN_API_PORT: 'not-a-port' });
    expect(await runCli(['config', 'check', file('{}')], io)).toBe(78);
    expect(io.err.join('')).toContain('MYOSCREEN_API_PORT');
  });

  it('env lists the variables, show prints the effective config', async () => {
    const io = capture({ MYOSCREEN_DEVICE_ID: 'cart-9' });
    expect(await runCli(['config', 'env', '--json'], io)).toBe(0);
    expect(io.out[0]).toContain('MYOSCREEN_CAPTURE_SIGNAL_FROZEN_AFTER_MS');
    expect(await runCli(['config', 'show', '--json'], io)).toBe(0);
    expect((JSON.parse(io.out[1] ?? '') as { device: { id: string } }).device.id).toBe('cart-9');
  });

  it('unknown commands and options are usage errors (exit 64)', async () => {
    const io = capture();
    expect(await runCli(['frobnicate'], io)).toBe(64);
    expect(await runCli(['config', 'check', '--bogus'], io)).toBe(64);
    expect(io.err.join('')).toContain('MYO_ERR_USAGE');
  });
});
