import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeNotifySocket } from '../device/watchdog/fake-notify-socket.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { ensureBuilt } from '../helpers/ensure-built.js';

let daemon: DaemonProcess | undefined;
const dirs: string[] = [];

beforeAll(() => ensureBuilt(), 120_000);

afterEach(() => {
  daemon?.child.kill('SIGKILL');
  daemon = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the daemon configured for TensorRT (stock binding, no GPU here)', () => {
  it('extends systemd\'s start timeout while it loads, warns once that the options are ignored, and starts on the CPU', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'myo-trt-start-'));
    dirs.push(dir);
    const socket = await FakeNotifySocket.start(join(dir, 'notify.sock'));
    try {
      daemon = startDaemonProcess([], {
        MYOSCREEN_API_PORT: '0',
        MYOSCREEN_MQTT_EMBEDDED_PORT: '0',
        MYOSCREEN_STATE_DIR: join(dir, 'state'),
        MYOSCREEN_CAPTURE_PHANTOM_WIDTH: '640',
        MYOSCREEN_CAPTURE_PHANTOM_HEIGHT: '360',
        MYOSCREEN_INFERENCE_PROVIDERS: '["tensorrt","cpu"]',
        NOTIFY_SOCKET: join(dir, 'notify.sock'),
      });
      await socket.waitFor((d) => d.some((x) => x.text.includes('READY=1')), 25_000);
      const texts = socket.texts();
      const extend = texts.findIndex((t) => t === 'EXTEND_TIMEOUT_USEC=60000000');
      expect(extend).toBeGreaterThanOrEqual(0);
      expect(extend).toBeLessThan(texts.findIndex((t) => t.includes('READY=1')));
      const ignored = daemon.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('inference.tensorrt is ignored'));
      expect(ignored).toHaveLength(1);
      const plan = daemon.logs.find((l) => l.msg === 'TensorRT plan');
      expect(plan?.cacheKey).toMatch(/^[0-9a-f]{16}-trtunknown-fp16$/);
      const fallback = daemon.logs.find((l) => l.msg === 'provider tensorrt unavailable, falling back');
      // arm64's stock binding lacks the backend; x64's lists it but cannot load its provider libraries here.
      expect(fallback?.provider).toBe('tensorrt');
      daemon.child.kill('SIGTERM');
      expect((await daemon.exited).code).toBe(0);
      // No extension after READY=1: the interval is cleared once the start is over.
      const afterReady = socket.texts().slice(socket.texts().findIndex((t) => t.includes('READY=1')));
      expect(afterReady.some((t) => t.startsWith('EXTEND_TIMEOUT_USEC'))).toBe(false);
    } finally {
      await socket.stop();
    }
  }, 60_000);
});
