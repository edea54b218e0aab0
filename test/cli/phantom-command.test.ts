import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/output.js';

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, env: {}, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

describe('myoscreen phantom export', () => {
  it('writes the training layout and prints one JSON summary', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'myo-phantom-cli-')), 'set');
    const cli = io();
    const code = await runCli(['phantom', 'export', '--out', dir, '--count', '6', '--seed', '5', '--size', '64', '--positive-fraction', '0.5', '--json'], cli);
    expect(code).toBe(0);
    expect(cli.out).toHaveLength(1);
    const summary = JSON.parse(cli.out[0] ?? '') as { count: number };
    expect(summary.count).toBe(6);
    const labels = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n');
    expect(labels[0]).toBe('id,image,patient_id,label,depth_ratio,split_hint,source');
    expect(labels).toHaveLength(7);
    const firstImage = labels[1]?.split(',')[1] ?? '';
    expect(existsSync(join(dir, firstImage))).toBe(true);
    expect(existsSync(join(dir, 'dataset.json'))).toBe(true);
  });

  it('refuses bad arguments with a usage or parameter code', async () => {
    const cli = io();
    expect(await runCli(['phantom', 'export', '--count', '3'], cli)).toBe(64);
    expect(await runCli(['phantom', 'export', '--out', '/tmp/x', '--count', 'many'], cli)).toBe(64);
    expect(await runCli(['phantom', 'export', '--out', join(tmpdir(), 'myo-bad'), '--count', '2', '--size', '5'], cli)).toBe(64);
    expect(cli.err.join('')).toMatch(/MYO_ERR_(USAGE|PHANTOM_PARAMS)/);
  });
});
