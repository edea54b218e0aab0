import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { TegrastatsReader } from '../../../src/device/health/tegrastats-reader.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { firstLine } from './helpers.js';

/**
 * A stand-in for tegrastats: records its argv, prints the lines it is given every `--interval` ms, and exits with
 * code 3 after `EXIT_AFTER` lines (0: never), like tegrastats does when another instance runs `--stop`.
 */
const FAKE = `#!/usr/bin/env node
import { appendFileSync } from 'node:fs';
const interval = Number(process.argv[process.argv.indexOf('--interval') + 1]);
appendFileSync(process.env.FAKE_ARGS_LOG, JSON.stringify(process.argv.slice(2)) + '\\n');
const lines = JSON.parse(process.env.FAKE_LINES);
const exitAfter = Number(process.env.EXIT_AFTER);
let n = 0;
const timer = setInterval(() => {
  process.stdout.write(lines[n % lines.length] + '\\n');
  n += 1;
  if (exitAfter > 0 && n >= exitAfter) { clearInterval(timer); process.exitCode = 3; }
}, interval);
process.on('SIGTERM', () => process.exit(0));
`;

let dir: string;
let binary: string;
let argsLog: string;
const readers: TegrastatsReader[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'myo-tegrastats-'));
  binary = join(dir, 'tegrastats');
  argsLog = join(dir, 'args.log');
  await writeFile(binary, FAKE);
  await chmod(binary, 0o755);
});

afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.stop();
  delete process.env.FAKE_LINES;
  delete process.env.EXIT_AFTER;
  delete process.env.FAKE_ARGS_LOG;
  await rm(dir, { recursive: true, force: true });
});

function reader(clock: ManualClock, binaryPath: string = binary): TegrastatsReader {
  const r = new TegrastatsReader(
    { binary: binaryPath, intervalMs: 20, restart: { initialDelayMs: 20, maxDelayMs: 40 }, random: () => 0.5, killGraceMs: 500 },
    { clock, logger: silentLogger() },
  );
  readers.push(r);
  return r;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function setFake(lines: string[], exitAfter: number): void {
  process.env.FAKE_LINES = JSON.stringify(lines);
  process.env.EXIT_AFTER = String(exitAfter);
  process.env.FAKE_ARGS_LOG = argsLog;
}

describe('TegrastatsReader', () => {
  it('stays empty and idle where there is no tegrastats binary', async () => {
    const r = reader(new ManualClock(), join(dir, 'no-such-tegrastats'));
    await r.start(new AbortController().signal);
    expect(r.available).toBe(false);
    expect(r.latest()).toBeNull();
    expect(r.stats.childPid).toBeNull();
  });

  it('runs `tegrastats --interval N`, keeps the newest parsed line and counts lines it cannot parse', async () => {
    const clock = new ManualClock(500);
    setFake(['garbage from a broken build', firstLine('jetpack-6.2.1-agx-orin.txt'), firstLine('jetpack-5.1-orin.txt')], 0);
    const r = reader(clock);
    await r.start(new AbortController().signal);
    expect(r.available).toBe(true);
    await until(() => r.stats.lines >= 3, 'three lines');
    await until(() => r.latest()?.sample.ram?.totalMb === 7620, 'the JetPack 5.1 line');
    expect(r.latest()?.at).toBe(500);
    expect(r.stats.unparsed).toBeGreaterThanOrEqual(1);
    expect(JSON.parse((await readFile(argsLog, 'utf8')).split('\n')[0] ?? '')).toEqual(['--interval', '20']);
  });

  it('restarts tegrastats when it exits', async () => {
    setFake([firstLine('jetpack-5.1-orin.txt')], 2);
    const r = reader(new ManualClock());
    await r.start(new AbortController().signal);
    await until(() => r.stats.lines >= 5, 'lines from a restarted child');
    const starts = (await readFile(argsLog, 'utf8')).trim().split('\n');
    expect(starts.length).toBeGreaterThanOrEqual(3);
  });

  it('forgets a sample older than the asked-for age', async () => {
    const clock = new ManualClock(0);
    setFake([firstLine('jetpack-5.1-orin.txt')], 1);
    const r = reader(clock);
    await r.start(new AbortController().signal);
    await until(() => r.latest() !== null, 'a sample');
    await r.stop();
    expect(r.latest(1000)?.at).toBe(0);
    clock.advance(1001);
    expect(r.latest(1000)).toBeNull();
    expect(r.latest()).not.toBeNull();
  });

  it('ends the child on stop', async () => {
    setFake([firstLine('jetpack-5.1-orin.txt')], 0);
    const r = reader(new ManualClock());
    await r.start(new AbortController().signal);
    await until(() => r.stats.childPid !== null, 'the child');
    const pid = r.stats.childPid ?? -1;
    await r.stop();
    expect(r.stats.childPid).toBeNull();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
