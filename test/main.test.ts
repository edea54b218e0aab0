import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeNotifySocket } from './device/watchdog/fake-notify-socket.js';
import { startDaemonProcess, type DaemonProcess } from './helpers/daemon-process.js';
import { ensureBuilt } from './helpers/ensure-built.js';

let daemon: DaemonProcess | undefined;

beforeAll(() => ensureBuilt(), 120_000);

afterEach(() => {
  daemon?.child.kill('SIGKILL');
  daemon = undefined;
});

async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [name, value] = [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))];
    // Drop the device label every sample carries, keep the others: `name{a="x"}`.
    const key = name.replace(/\{(.*)\}/, (_all, labels: string) => {
      const kept = labels.split(',').filter((label) => label !== '' && !label.startsWith('device='));
      return kept.length > 0 ? `{${kept.join(',')}}` : '';
    });
    values.set(key, value);
  }
  return values;
}

describe('the daemon process', () => {
  it('runs on the embedded defaults, shows frames flowing at the configured rate, and exits 0 on SIGTERM', async () => {
    daemon = startDaemonProcess([], {
      MYOSCREEN_API_PORT: '0',
        MYOSCREEN_MQTT_EMBEDDED_PORT: '0',
      MYOSCREEN_CAPTURE_FPS: '15',
      MYOSCREEN_STATE_DIR: '/tmp/myo-main-test',
    });
    const listening = await daemon.waitForLog((line) => line.msg === 'API listening');
    const url = String(listening.url);

    const first = await scrape(`${url}/metrics`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const second = await scrape(`${url}/metrics`);
    const framesA = first.get('myoscreen_capture_frames_total') ?? 0;
    const framesB = second.get('myoscreen_capture_frames_total') ?? 0;
    const rate = (framesB - framesA) / 2;
    // The phantom paces at capture.fps; allow for scheduling jitter on a loaded 2-core machine.
    expect(rate).toBeGreaterThan(15 * 0.6);
    expect(rate).toBeLessThan(15 * 1.3);
    expect(second.get('myoscreen_capture_fps')).toBeGreaterThan(8);
    expect(second.get('myoscreen_capture_source_connected{source="phantom"}')).toBe(1);

    const readyz = await fetch(`${url}/readyz`);
    expect([200, 503]).toContain(readyz.status);

    const t0 = Date.now();
    daemon.child.kill('SIGTERM');
    const exit = await daemon.exited;
    expect({ ...exit, stderr: exit.code === 0 ? '' : daemon.stderrTail(), last: exit.code === 0 ? null : daemon.logs.slice(-5) }).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(daemon.logs.some((line) => line.msg === 'stopped')).toBe(true);
  });

  it('tells systemd it is ready, pings the watchdog while it screens, and says when it stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myo-notify-'));
    const socket = await FakeNotifySocket.start(join(dir, 'notify.sock'));
    try {
      daemon = startDaemonProcess([], {
        MYOSCREEN_API_PORT: '0',
        MYOSCREEN_MQTT_EMBEDDED_PORT: '0',
        MYOSCREEN_STATE_DIR: join(dir, 'state'),
        MYOSCREEN_CAPTURE_PHANTOM_WIDTH: '640',
        MYOSCREEN_CAPTURE_PHANTOM_HEIGHT: '360',
        NOTIFY_SOCKET: join(dir, 'notify.sock'),
        // 2 s: the daemon checks progress and pings every second.
        WATCHDOG_USEC: '2000000',
      });
      await socket.waitFor((d) => d.some((x) => x.text.includes('READY=1')), 20_000);
      await socket.waitFor((d) => d.filter((x) => x.text.includes('WATCHDOG=1')).length >= 3, 15_000);
      daemon.child.kill('SIGTERM');
      expect((await daemon.exited).code).toBe(0);
      await socket.waitFor((d) => d.some((x) => x.text.includes('STOPPING=1')), 3000);
      const texts = socket.texts();
      expect(texts.findIndex((t) => t.includes('READY=1'))).toBeLessThan(texts.findIndex((t) => t.includes('STOPPING=1')));
    } finally {
      await socket.stop();
    }
  }, 60_000);

  it('stops cleanly on SIGINT too', async () => {
    daemon = startDaemonProcess([], { MYOSCREEN_API_PORT: '0',
        MYOSCREEN_MQTT_EMBEDDED_PORT: '0', MYOSCREEN_STATE_DIR: '/tmp/myo-main-test' });
    await daemon.waitForLog((line) => line.msg === 'started');
    const t0 = Date.now();
    daemon.child.kill('SIGINT');
    expect((await daemon.exited).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('refuses a bad configuration with the key path and exit code 78', async () => {
    daemon = startDaemonProcess([], { MYOSCREEN_API_PORT: 'eighty' });
    const exit = await daemon.exited;
    expect(exit.code).toBe(78);
  });
});
