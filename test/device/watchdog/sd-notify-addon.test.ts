import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import { PROJECT_ROOT } from '../../../src/core/version.js';
import { loadSdNotifyAddon, type DatagramSender } from '../../../src/device/watchdog/sd-notify-addon.js';
import { FakeNotifySocket } from './fake-notify-socket.js';

function errnoOf(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    expect(isMyoError(error, 'MYO_ERR_IO')).toBe(true);
    return isMyoError(error) ? error.details['errno'] : undefined;
  }
  throw new Error('expected a throw');
}

describe('sd-notify addon (built by npm install)', () => {
  let dir: string;
  let socket: FakeNotifySocket | null = null;
  let send: DatagramSender;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'myo-sdnotify-'));
    send = loadSdNotifyAddon(PROJECT_ROOT);
  });

  afterEach(async () => {
    await socket?.stop();
    socket = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers each message as one datagram, byte for byte, to a socket path', async () => {
    socket = await FakeNotifySocket.start(join(dir, 'notify.sock'));
    send(socket.address, 'READY=1\nSTATUS=warming up: Überprüfung 1/3');
    send(socket.address, 'WATCHDOG=1');
    await socket.waitFor((d) => d.length === 2);
    expect(socket.texts()).toEqual(['READY=1\nSTATUS=warming up: Überprüfung 1/3', 'WATCHDOG=1']);
  });

  it('delivers to an abstract socket named with a leading @', async () => {
    socket = await FakeNotifySocket.start(`@myoscreen-test-${process.pid}-${Math.random().toString(36).slice(2)}`);
    send(socket.address, 'STOPPING=1');
    await socket.waitFor((d) => d.length === 1);
    expect(socket.texts()).toEqual(['STOPPING=1']);
  });

  it('throws MYO_ERR_IO with the errno name when nobody listens', () => {
    expect(errnoOf(() => send(join(dir, 'absent.sock'), 'READY=1'))).toBe('ENOENT');
    expect(errnoOf(() => send(`@myoscreen-test-nobody-${process.pid}`, 'READY=1'))).toBe('ECONNREFUSED');
  });

  it('refuses relative and over-long socket paths and over-long messages', () => {
    expect(errnoOf(() => send('notify.sock', 'READY=1'))).toBe('EINVAL');
    expect(errnoOf(() => send('@', 'READY=1'))).toBe('EINVAL');
    expect(errnoOf(() => send(`/${'a'.repeat(107)}`, 'READY=1'))).toBe('EINVAL');
    expect(errnoOf(() => send(join(dir, 'notify.sock'), 'x'.repeat(4096)))).toBe('EMSGSIZE');
  });
});
