import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../../src/core/clock.js';
import { isMyoError } from '../../../src/core/errors.js';
import type { ProgressCounters } from '../../../src/device/watchdog/progress.js';
import { SystemdNotifier } from '../../../src/device/watchdog/systemd-notifier.js';
import { Watchdog, type WatchdogNotifier } from '../../../src/device/watchdog/watchdog.js';
import { FakeNotifySocket, type Datagram } from './fake-notify-socket.js';
import { LEVEL, recordingLogger } from './recording-logger.js';

/** A daemon in miniature: every 20 ms capture takes a frame and inference completes a run, unless told to stall. */
class FakeDaemonProgress {
  inferenceStalled = false;
  readonly #counters = { framesCaptured: 0, captureLoopTicks: 0, inferenceRuns: 0, probeRuns: 0 };
  readonly #timer = setInterval(() => {
    this.#counters.framesCaptured += 1;
    this.#counters.captureLoopTicks += 1;
    if (!this.inferenceStalled) this.#counters.inferenceRuns += 1;
  }, 20);

  sample = (): ProgressCounters => ({
    ...this.#counters,
    signal: 'ok',
    pendingRunSinceMs: this.inferenceStalled ? 1500 : null,
  });

  stop(): void {
    clearInterval(this.#timer);
  }
}

const isPing = (d: Datagram): boolean => d.text === 'WATCHDOG=1';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Watchdog against a fake notify socket', () => {
  let dir: string;
  let socket: FakeNotifySocket | null = null;
  let watchdog: Watchdog | null = null;
  let progress: FakeDaemonProgress | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'myo-watchdog-'));
  });

  afterEach(async () => {
    await watchdog?.stop();
    progress?.stop();
    await socket?.stop();
    watchdog = null;
    progress = null;
    socket = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('pings every interval while both parts progress, stops while inference stalls, and resumes after', async () => {
    socket = await FakeNotifySocket.start(join(dir, 'notify.sock'));
    // WatchdogSec=200ms: the watchdog checks every 100 ms.
    const env = { NOTIFY_SOCKET: socket.address, WATCHDOG_USEC: '200000', WATCHDOG_PID: String(process.pid) };
    const { logger, lines } = recordingLogger();
    const notifier = new SystemdNotifier({ env, pid: process.pid, logger });
    expect(notifier.watchdogIntervalMs).toBe(100);
    progress = new FakeDaemonProgress();
    watchdog = new Watchdog({ notifier, progress: progress.sample, clock: systemClock, logger });
    await watchdog.start(new AbortController().signal);

    await socket.waitFor((d) => d.filter(isPing).length >= 4);
    const pings = socket.datagrams.filter(isPing);
    const gaps = pings.slice(1).map((p, i) => p.atMs - (pings[i]?.atMs ?? 0));
    // 100 ms apart; wide bounds for a loaded two-core machine, but far from "every tick of the fake" (20 ms).
    for (const gap of gaps) expect(gap).toBeGreaterThan(50);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeLessThan(250);
    expect(socket.texts().filter((t) => !isPing({ text: t, atMs: 0 }))).toEqual([]);

    progress.inferenceStalled = true;
    await socket.waitFor((d) => d.some((x) => x.text.startsWith('STATUS=stalled')));
    const stalledAt = socket.datagrams.findIndex((x) => x.text.startsWith('STATUS=stalled'));
    expect(socket.datagrams[stalledAt]?.text).toBe('STATUS=stalled: inference (no run completed; one has been pending for 1.5 s)');
    await sleep(450);
    const duringStall = socket.datagrams.slice(stalledAt);
    expect(duringStall.filter(isPing)).toEqual([]);
    expect(duringStall.length).toBeGreaterThanOrEqual(3);
    // Logged when the stall began, not at every check.
    expect(lines.filter((l) => l.level === LEVEL.error)).toHaveLength(1);
    expect(lines.find((l) => l.level === LEVEL.error)).toMatchObject({ stalled: ['inference'] });
    expect(watchdog.stats().stalled).toEqual(['inference']);

    progress.inferenceStalled = false;
    const resumeFrom = socket.datagrams.length;
    await socket.waitFor((d) => d.slice(resumeFrom).filter(isPing).length >= 2);
    const afterResume = socket.texts().slice(resumeFrom);
    // The first ping after the stall comes only once the watchdog has declared the recovery.
    expect(afterResume).toContain('STATUS=running');
    expect(afterResume.indexOf('STATUS=running')).toBeLessThan(afterResume.indexOf('WATCHDOG=1'));
    expect(watchdog.stats().stalled).toEqual([]);
  });

  it('sends nothing and raises nothing when NOTIFY_SOCKET is unset', async () => {
    socket = await FakeNotifySocket.start(join(dir, 'notify.sock'));
    const { logger, lines } = recordingLogger();
    const notifier = new SystemdNotifier({ env: { WATCHDOG_USEC: '200000' }, pid: process.pid, logger });
    progress = new FakeDaemonProgress();
    watchdog = new Watchdog({ notifier, progress: progress.sample, clock: systemClock, logger });
    await watchdog.start(new AbortController().signal);
    expect(notifier.ready()).toBe(false);
    await sleep(350);
    expect(socket.datagrams).toEqual([]);
    expect(watchdog.stats().checks).toBe(0);
    expect(lines.filter((l) => l.level >= LEVEL.warn)).toEqual([]);
  });
});

/** Records what the watchdog asks of systemd; checks are driven by hand through check(). */
class RecordingNotifier implements WatchdogNotifier {
  readonly watchdogIntervalMs: number | null;
  readonly sent: string[] = [];
  constructor(intervalMs: number | null) {
    this.watchdogIntervalMs = intervalMs;
  }
  watchdog(): boolean {
    this.sent.push('WATCHDOG=1');
    return true;
  }
  status(text: string): boolean {
    this.sent.push(`STATUS=${text}`);
    return true;
  }
}

describe('Watchdog decisions', () => {
  let watchdog: Watchdog | null = null;
  let counters: { -readonly [K in keyof ProgressCounters]: ProgressCounters[K] };

  beforeEach(() => {
    counters = { framesCaptured: 0, captureLoopTicks: 0, inferenceRuns: 0, probeRuns: 0, signal: 'ok', pendingRunSinceMs: null };
  });

  afterEach(async () => {
    await watchdog?.stop();
    watchdog = null;
  });

  async function started(notifier: RecordingNotifier, progress = (): ProgressCounters => ({ ...counters })) {
    const { logger, lines } = recordingLogger();
    const clock = new ManualClock();
    watchdog = new Watchdog({ notifier, progress, clock, logger, stallLogEveryMs: 60_000 });
    await watchdog.start(new AbortController().signal);
    return { watchdog, lines, clock };
  }

  // An interval of an hour: the timer never fires during a test; these tests call check() themselves.
  const HOUR_MS = 3_600_000;

  it('keeps pinging with the HDMI cable unplugged while the capture loop and idle probes tick', async () => {
    const notifier = new RecordingNotifier(HOUR_MS);
    const { watchdog: w } = await started(notifier);
    counters.signal = 'disconnected';
    for (let i = 0; i < 3; i += 1) {
      counters.captureLoopTicks += 1;
      counters.probeRuns += 1;
      expect(w.check()?.ok).toBe(true);
    }
    expect(notifier.sent).toEqual(['WATCHDOG=1', 'WATCHDOG=1', 'WATCHDOG=1']);
  });

  it('rate-limits the stall log while the same part stays stalled, and logs again when another part stalls', async () => {
    const notifier = new RecordingNotifier(HOUR_MS);
    const { watchdog: w, lines, clock } = await started(notifier);
    const errors = (): number => lines.filter((l) => l.level === LEVEL.error).length;
    counters.framesCaptured += 1; // capture moves, inference does not
    w.check();
    for (let i = 0; i < 5; i += 1) {
      clock.advance(10_000);
      counters.framesCaptured += 1;
      w.check();
    }
    expect(errors()).toBe(1);
    clock.advance(10_000); // 60 s since the first line
    counters.framesCaptured += 1;
    w.check();
    expect(errors()).toBe(2);
    w.check(); // now capture stalls too
    expect(errors()).toBe(3);
    expect(notifier.sent.filter((s) => s === 'WATCHDOG=1')).toEqual([]);
    expect(notifier.sent.at(-1)).toBe(
      'STATUS=stalled: capture (no new frame while the signal is ok); inference (no run or idle probe completed, none pending)',
    );
    expect(w.stats()).toMatchObject({ checks: 8, pings: 0, stalledChecks: 8, stalled: ['capture', 'inference'] });
  });

  it('does not ping when the progress counters cannot be read', async () => {
    const notifier = new RecordingNotifier(HOUR_MS);
    let fail = false;
    const { watchdog: w, lines } = await started(notifier, () => {
      if (fail) throw new Error('stats unavailable');
      return { ...counters, framesCaptured: counters.framesCaptured + 1 };
    });
    fail = true;
    expect(w.check()).toBeNull();
    expect(notifier.sent).toEqual(['STATUS=stalled: progress counters could not be read']);
    expect(lines.some((l) => l.msg === 'watchdog could not read the progress counters')).toBe(true);
  });

  it('stays off without a watchdog interval, and refuses a second start', async () => {
    const notifier = new RecordingNotifier(null);
    let samples = 0;
    const { watchdog: w } = await started(notifier, () => {
      samples += 1;
      return { ...counters };
    });
    expect(samples).toBe(0);
    let thrown: unknown = null;
    await w.start(new AbortController().signal).catch((error: unknown) => (thrown = error));
    expect(isMyoError(thrown, 'MYO_ERR_LIFECYCLE')).toBe(true);
    await w.stop();
    await w.stop();
    expect(notifier.sent).toEqual([]);
  });
});
