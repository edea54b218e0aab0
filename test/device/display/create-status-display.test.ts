import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/event-bus.js';
import { createRootLogger } from '../../../src/core/logger.js';
import { createStatusDisplay } from '../../../src/device/display/create-status-display.js';
import { EmulatedDisplay } from '../../../src/device/display/emulated-display.js';
import { NextionDisplay } from '../../../src/device/display/nextion-display.js';
import type { StatusDisplay } from '../../../src/device/display/status-display.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { READY, RESULT, record, waitFor } from './helpers.js';

const started: StatusDisplay[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.stop()));
});

function logLines(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

describe('createStatusDisplay', () => {
  it('uses the emulator when no port is configured and logs its screen on every page change', async () => {
    const out = logLines();
    const logger = createRootLogger({ level: 'info', deviceId: 'cart-1', destination: out.stream });
    const display = createStatusDisplay({ config: { port: '', baudRate: 115_200, logEmulator: true }, bus: new EventBus(), logger });
    started.push(display);
    if (!(display instanceof EmulatedDisplay)) throw new Error('expected the emulated display');
    display.show(READY);
    await display.start(AbortSignal.timeout(1000));
    await display.settled(AbortSignal.timeout(3000));
    display.show(RESULT);
    await display.settled(AbortSignal.timeout(3000));
    await waitFor(() => out.lines().filter((l) => l['msg'] === 'display').length >= 2, 'two screen lines');
    const screens = out.lines().filter((l) => l['msg'] === 'display').map((l) => l['screen']);
    expect(screens.slice(-2)).toEqual([
      '[ready] model lsnet 1.2.0  | capture ok model ok storage ok thermal ok network ok',
      '[result] REFER  score 0.67  Myometrial invasion suspected  | capture ok model ok storage ok thermal ok network ok',
    ]);
  });

  it('opens the configured serial port, and keeps retrying one that is missing without throwing', async () => {
    const bus = new EventBus();
    const disconnected = record(bus, 'displayDisconnected');
    const display = createStatusDisplay({
      config: { port: '/nonexistent/myoscreen-display', baudRate: 9600, logEmulator: false },
      bus,
      logger: silentLogger(),
    });
    started.push(display);
    expect(display).toBeInstanceOf(NextionDisplay);
    await display.start(AbortSignal.timeout(1000));
    display.show(READY);
    await waitFor(() => disconnected.length >= 1, 'the failed open');
    expect(disconnected[0]).toMatchObject({ port: '/nonexistent/myoscreen-display', attempt: 1 });
    expect(disconnected[0]?.reason).toContain('cannot open display port /nonexistent/myoscreen-display');
    expect(display.stats().connected).toBe(false);
  });
});
