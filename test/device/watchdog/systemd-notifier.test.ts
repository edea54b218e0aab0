import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import { encodeNotification, SystemdNotifier } from '../../../src/device/watchdog/systemd-notifier.js';
import { FakeNotifySocket } from './fake-notify-socket.js';
import { LEVEL, recordingLogger } from './recording-logger.js';

describe('SystemdNotifier through the real addon', () => {
  let dir: string;
  let socket: FakeNotifySocket | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'myo-notifier-'));
  });

  afterEach(async () => {
    await socket?.stop();
    socket = null;
    rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of ['path', 'abstract'] as const) {
    it(`sends READY, STATUS, WATCHDOG, EXTEND_TIMEOUT_USEC and STOPPING to a ${kind} socket`, async () => {
      const address = kind === 'path' ? join(dir, 'notify.sock') : `@myoscreen-notifier-${process.pid}-${Math.random().toString(36).slice(2)}`;
      socket = await FakeNotifySocket.start(address);
      const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: address }, pid: process.pid, logger: recordingLogger().logger });
      expect(notifier.state).toEqual({ mode: 'active', socket: address });
      expect(notifier.extendTimeout(90_000_000)).toBe(true);
      expect(notifier.ready()).toBe(true);
      expect(notifier.status('screening\nlive at 30 fps')).toBe(true);
      expect(notifier.watchdog()).toBe(true);
      expect(notifier.stopping()).toBe(true);
      expect(notifier.notify({ STATUS: 'bye', ERRNO: 0 })).toBe(true);
      await socket.waitFor((d) => d.length === 6);
      expect(socket.texts()).toEqual([
        'EXTEND_TIMEOUT_USEC=90000000',
        'READY=1',
        'STATUS=screening live at 30 fps',
        'WATCHDOG=1',
        'STOPPING=1',
        'STATUS=bye\nERRNO=0',
      ]);
      expect(notifier.stats()).toEqual({ sent: 6, failed: 0 });
    });
  }

  it('logs a run of failed sends once, returns false, and says when delivery works again', async () => {
    const address = join(dir, 'late.sock');
    const { logger, lines } = recordingLogger();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: address }, pid: process.pid, logger });
    expect(notifier.watchdog()).toBe(false);
    expect(notifier.watchdog()).toBe(false);
    expect(notifier.status('x')).toBe(false);
    const warnings = lines.filter((l) => l.level === LEVEL.warn);
    expect(warnings.map((l) => l.msg)).toEqual(['systemd notification failed']);
    expect(warnings[0]?.['err']).toMatchObject({ message: expect.stringContaining('No such file or directory') as unknown });

    socket = await FakeNotifySocket.start(address);
    expect(notifier.watchdog()).toBe(true);
    await socket.waitFor((d) => d.length === 1);
    expect(lines.filter((l) => l.level === LEVEL.info).map((l) => l.msg)).toEqual(['systemd notifications delivered again']);
    expect(notifier.stats()).toEqual({ sent: 1, failed: 3 });
  });
});

describe('SystemdNotifier configuration', () => {
  const recorder = (): { sent: [string, string][]; loadSender: () => (path: string, message: string) => void } => {
    const sent: [string, string][] = [];
    return { sent, loadSender: () => (path, message) => sent.push([path, message]) };
  };

  it('does nothing, without error and without loading the addon, when NOTIFY_SOCKET is unset', () => {
    let loads = 0;
    const { logger, lines } = recordingLogger();
    const notifier = new SystemdNotifier({
      env: { WATCHDOG_USEC: '20000000' },
      pid: process.pid,
      logger,
      loadSender: () => {
        loads += 1;
        return () => undefined;
      },
    });
    expect([notifier.ready(), notifier.status('x'), notifier.watchdog(), notifier.stopping(), notifier.extendTimeout(1)]).toEqual([
      false, false, false, false, false,
    ]);
    expect(loads).toBe(0);
    expect(notifier.state).toEqual({ mode: 'off', reason: 'NOTIFY_SOCKET is not set' });
    expect(notifier.watchdogIntervalMs).toBeNull();
    expect(lines.filter((l) => l.level >= LEVEL.warn)).toEqual([]);
  });

  it('reads the watchdog interval as half of WATCHDOG_USEC, honouring WATCHDOG_PID only for this process', () => {
    const interval = (env: Record<string, string>): number | null =>
      new SystemdNotifier({ env: { NOTIFY_SOCKET: '/run/notify', ...env }, pid: 4242, logger: recordingLogger().logger, ...recorder() })
        .watchdogIntervalMs;
    expect(interval({ WATCHDOG_USEC: '20000000' })).toBe(10_000);
    expect(interval({ WATCHDOG_USEC: '3000000', WATCHDOG_PID: '4242' })).toBe(1500);
    expect(interval({ WATCHDOG_USEC: '3000000', WATCHDOG_PID: '4243' })).toBeNull();
    expect(interval({ WATCHDOG_USEC: 'soon' })).toBeNull();
    expect(interval({ WATCHDOG_USEC: '0' })).toBeNull();
    expect(interval({})).toBeNull();
  });

  it('logs once and stays silent when the addon cannot load, and its state says why', () => {
    const { logger, lines } = recordingLogger();
    const notifier = new SystemdNotifier({
      env: { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '20000000' },
      pid: process.pid,
      logger,
      loadSender: () => {
        throw new Error('Cannot find module sd_notify.node');
      },
    });
    expect(notifier.ready()).toBe(false);
    expect(notifier.watchdog()).toBe(false);
    expect(notifier.watchdogIntervalMs).toBeNull();
    expect(notifier.state).toEqual({
      mode: 'unavailable',
      socket: '/run/systemd/notify',
      reason: 'sd-notify addon did not load (Cannot find module sd_notify.node); run npm rebuild',
    });
    expect(lines.filter((l) => l.level >= LEVEL.warn).map((l) => l.msg)).toEqual([
      'systemd notifications unavailable: sd-notify addon did not load',
    ]);
  });

  it('passes the socket address and the encoded fields to the sender', () => {
    const { sent, loadSender } = recorder();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify' }, pid: 1, logger: recordingLogger().logger, loadSender });
    notifier.notify({ READY: 1, STATUS: 'up', MAINPID: 77 });
    expect(notifier.notify({})).toBe(false);
    expect(sent).toEqual([['@/org/freedesktop/systemd1/notify', 'READY=1\nSTATUS=up\nMAINPID=77']]);
  });
});

describe('encodeNotification', () => {
  it('keeps each field on its line and cuts long status text', () => {
    expect(encodeNotification({ STATUS: 'a\r\nb\nc', WATCHDOG: 1 })).toBe('STATUS=a b c\nWATCHDOG=1');
    expect(encodeNotification({ STATUS: 'x'.repeat(5000) })).toBe(`STATUS=${'x'.repeat(1024)}`);
  });

  it('refuses numbers that are not whole and non-negative', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      let thrown: unknown = null;
      try {
        encodeNotification({ EXTEND_TIMEOUT_USEC: bad });
      } catch (error) {
        thrown = error;
      }
      expect(isMyoError(thrown, 'MYO_ERR_INTERNAL')).toBe(true);
    }
  });

  it('refuses a non-positive extension through extendTimeout', () => {
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: '/run/notify' }, pid: 1, logger: recordingLogger().logger, loadSender: () => () => undefined });
    let thrown: unknown = null;
    try {
      notifier.extendTimeout(0);
    } catch (error) {
      thrown = error;
    }
    expect(isMyoError(thrown, 'MYO_ERR_INTERNAL')).toBe(true);
  });
});
