import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { CaptureStats } from '../../src/capture/capture-stats.js';
import { ConfigSchema, type Config } from '../../src/core/config/schema.js';
import { DaemonSelfTest, type LiveParts } from '../../src/selftest/daemon-selftest.js';

const config = (): Config => Value.Default(ConfigSchema, { state: { dir: mkdtempSync(join(tmpdir(), 'myo-dst-')) } }) as Config;

function live(overrides: Partial<LiveParts> & { stats?: Partial<CaptureStats> } = {}): LiveParts {
  return {
    capture: (): CaptureStats => ({ framesCaptured: 900, framesDropped: 0, fps: 29.8, signal: 'ok', roi: null, width: 1920, height: 1080, sourceConnected: true, loopTicks: 10, ...(overrides.stats ?? {}) }),
    display: () => ({ status: 'ok', reason: 'connected, 0 reconnect(s)', critical: false }),
    broker: () => ({ status: 'degraded', reason: 'broker unreachable, 4 message(s) held in the outbox', critical: false }),
    examRunning: () => false,
    ...overrides,
  };
}

describe('DaemonSelfTest', () => {
  it('judges capture, display and broker from the live parts and runs disk and clock for real', async () => {
    const report = await new DaemonSelfTest({ config: config(), live: live() }).run(['capture', 'display', 'broker', 'disk', 'clock']);
    const outcome = Object.fromEntries(report.checks.map((c) => [c.name, c.outcome]));
    expect(outcome).toEqual({ capture: 'pass', display: 'pass', broker: 'warn', disk: 'pass', clock: 'pass' });
    expect(report.checks.find((c) => c.name === 'broker')?.detail).toMatch(/held in the outbox/);
    expect(report.ok).toBe(true);
  });

  it('fails capture when the live source has no signal', async () => {
    const report = await new DaemonSelfTest({ config: config(), live: live({ stats: { signal: 'no_signal', fps: 0 } }) }).run(['capture']);
    expect(report.checks[0]?.outcome).toBe('fail');
    expect(report.ok).toBe(false);
  });

  it('refuses unknown checks, a second run while one runs, and any run during an exam, each with its code', async () => {
    const selftest = new DaemonSelfTest({ config: config(), live: live() });
    expect(() => selftest.run(['capture', 'warp_drive'])).toThrow(expect.objectContaining({ code: 'MYO_ERR_BAD_REQUEST' }) as Error);
    const running = selftest.run(['clock']);
    expect(selftest.running).toBe(true);
    expect(() => selftest.run(['disk'])).toThrow(expect.objectContaining({ code: 'MYO_ERR_SELFTEST_RUNNING' }) as Error);
    await running;
    expect(selftest.running).toBe(false);
    const duringExam = new DaemonSelfTest({ config: config(), live: live({ examRunning: () => true }) });
    expect(() => duringExam.run()).toThrow(expect.objectContaining({ code: 'MYO_ERR_SELFTEST_RUNNING' }) as Error);
  });
});
