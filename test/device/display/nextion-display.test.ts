import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/event-bus.js';
import { NextionEmulator } from '../../../src/device/display/display-emulator.js';
import { EmulatorLink } from '../../../src/device/display/emulator-link.js';
import { hmiLayout, type PageSpec } from '../../../src/device/display/hmi-layout.js';
import { NextionDisplay, type NextionDisplayOptions } from '../../../src/device/display/nextion-display.js';
import { renderPage } from '../../../src/device/display/pages.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { HEALTH_OK, READY, RESULT, record, scanning, screenOf, snapshot, texts, waitFor, wire } from './helpers.js';

interface Rig {
  readonly emulator: NextionEmulator;
  readonly link: EmulatorLink;
  readonly bus: EventBus;
  readonly display: NextionDisplay;
}

const running: NextionDisplay[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop()));
});

/** A driver on an in-process emulator; `hmi` gives the emulator another design than the driver expects. */
function rig(options: Partial<NextionDisplayOptions> = {}, hmi?: readonly PageSpec[]): Rig {
  const emulator = new NextionEmulator(hmi === undefined ? {} : { layout: hmi });
  const link = new EmulatorLink(emulator);
  const bus = new EventBus();
  const display = new NextionDisplay({
    open: () => link.open(),
    portName: 'emulator',
    baudRate: 115_200,
    bus,
    logger: silentLogger(),
    keepaliveMs: 60_000,
    ackTimeoutMs: 500,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100, random: () => 0.5 },
    ...options,
  });
  running.push(display);
  return { emulator, link, bus, display };
}

async function started(r: Rig): Promise<void> {
  r.emulator.powerOn();
  await r.display.start(AbortSignal.timeout(1000));
  await r.display.settled(AbortSignal.timeout(3000));
}

describe('NextionDisplay over an in-process emulator', () => {
  it('asks for an answer to every instruction, then draws the full page', async () => {
    const r = rig();
    const connected = record(r.bus, 'displayConnected');
    r.display.show(READY);
    await started(r);
    expect(r.emulator.instructions).toEqual(['bkcmd=3', 'sendme', ...texts(renderPage(READY))]);
    expect(r.emulator.receivedBytes().equals(wire(r.emulator.instructions))).toBe(true);
    expect(connected).toEqual([{ port: 'emulator', attempt: 1, at: expect.any(Number) as number }]);
    expect(snapshot(r.emulator)).toEqual(screenOf(READY));
    const stats = r.display.stats();
    expect(stats.connected).toBe(true);
    // One ack per instruction of the page, plus the bkcmd's own.
    expect(stats.acks).toBe(renderPage(READY).length + 1);
    expect(stats.ackTimeouts).toBe(0);
  });

  it('sends only what changed after the first full page', async () => {
    const r = rig();
    r.display.show(scanning(10, 0.4));
    await started(r);
    r.emulator.clearHistory();
    r.display.show(scanning(20, 0.4));
    await r.display.settled(AbortSignal.timeout(2000));
    expect(r.emulator.instructions).toEqual(['nFrames.val=20', 'nUsable.val=16']);
    r.display.show(scanning(20, 0.4));
    await r.display.settled(AbortSignal.timeout(2000));
    expect(r.emulator.instructions).toEqual(['nFrames.val=20', 'nUsable.val=16']);
    expect(snapshot(r.emulator)).toEqual(screenOf(scanning(20, 0.4)));
  });

  it('redraws the whole page after an error reply, once per state, and says which error', async () => {
    // An HMI without the fps field: every scanning page gets one invalid-variable reply.
    const hmi = hmiLayout().map((p) => (p.name === 'scanning' ? { ...p, components: p.components.filter((c) => c.name !== 'tFps') } : p));
    const r = rig({}, hmi);
    r.display.show(scanning(5));
    await started(r);
    await waitFor(() => r.display.stats().errors['invalid_variable'] === 2, 'the repeated error');
    await r.display.settled(AbortSignal.timeout(2000));
    // The first page, then one repair of it: the repair fails the same way and is not repeated for this state.
    expect(r.emulator.instructions.filter((t) => t === 'page scanning')).toHaveLength(2);
    r.emulator.clearHistory();
    r.display.show(scanning(6));
    await r.display.settled(AbortSignal.timeout(2000));
    // The mirror no longer trusts the page after the error, so the next state is a full page too.
    expect(r.emulator.instructions[0]).toBe('page scanning');
    expect(r.emulator.component('nFrames')?.val).toBe(6);
  });

  it('reconnects after an unplug and redraws the current state', async () => {
    const r = rig();
    const disconnected = record(r.bus, 'displayDisconnected');
    r.display.show(READY);
    await started(r);
    r.link.unplug();
    r.display.show(RESULT);
    await waitFor(() => disconnected.length === 1, 'the disconnect');
    expect(disconnected[0]).toMatchObject({ port: 'emulator', attempt: 1, retryInMs: 20 });
    await waitFor(() => r.display.stats().connected, 'the reconnect');
    await r.display.settled(AbortSignal.timeout(2000));
    expect(snapshot(r.emulator)).toEqual(screenOf(RESULT));
    expect(r.display.stats().reconnects).toBe(1);
    expect(r.link.opens).toBe(2);
  });

  it('keeps retrying a display that is not there, with backoff, and draws once it appears', async () => {
    const r = rig();
    const disconnected = record(r.bus, 'displayDisconnected');
    r.link.refuse(true);
    r.display.show(READY);
    await r.display.start(AbortSignal.timeout(1000));
    await waitFor(() => disconnected.length >= 3, 'three failed attempts');
    expect(disconnected.slice(0, 3).map((d) => [d.attempt, d.retryInMs])).toEqual([
      [1, 20],
      [2, 40],
      [3, 80],
    ]);
    expect(r.display.stats().connected).toBe(false);
    r.link.refuse(false);
    await r.display.settled(AbortSignal.timeout(3000));
    expect(snapshot(r.emulator)).toEqual(screenOf(READY));
    // The first connection is not a reconnect.
    expect(r.display.stats().reconnects).toBe(0);
  });

  it('notices a display that went silent and reopens the link', async () => {
    let opens = 0;
    const silent = (): Promise<Duplex> => {
      opens += 1;
      return Promise.resolve(new Duplex({ read: () => undefined, write: (_c, _e, cb) => cb() }));
    };
    const r = rig({ open: silent, ackTimeoutMs: 50, reconnect: { initialDelayMs: 10, maxDelayMs: 10 } });
    const disconnected = record(r.bus, 'displayDisconnected');
    await r.display.start(AbortSignal.timeout(1000));
    await waitFor(() => disconnected.length >= 2, 'two silent attempts');
    expect(disconnected[0]?.reason).toBe('display did not answer');
    expect(opens).toBeGreaterThanOrEqual(2);
    expect(r.display.stats().connected).toBe(false);
  });

  it('probes an idle display and redraws when it shows another page than drawn', async () => {
    const r = rig({ keepaliveMs: 100 });
    r.display.show(READY);
    await started(r);
    // Someone (a page-change event in the HMI, a glitch) switched the page behind the driver's back.
    r.emulator.receive(wire(['page fault']));
    await waitFor(() => r.emulator.page === 'ready', 'the redraw');
    await r.display.settled(AbortSignal.timeout(2000));
    expect(snapshot(r.emulator)).toEqual(screenOf(READY));
  });

  it('redraws after the display restarts under it', async () => {
    const r = rig();
    r.display.show(RESULT);
    await started(r);
    r.emulator.powerOn();
    await waitFor(() => r.display.stats().displayRestarts === 1, 'the restart to be seen');
    await r.display.settled(AbortSignal.timeout(2000));
    expect(r.emulator.bkcmd).toBe(3);
    expect(snapshot(r.emulator)).toEqual(screenOf(RESULT));
  });

  it('turns touch releases on the buttons into operator actions, ignoring presses and other components', async () => {
    const r = rig();
    const actions = record(r.bus, 'operatorAction');
    r.display.show(READY);
    await started(r);
    r.emulator.touch('bStart');
    r.emulator.touch('tModel');
    await waitFor(() => r.display.stats().touches === 1, 'the touch');
    r.display.show(scanning(3));
    await r.display.settled(AbortSignal.timeout(2000));
    r.emulator.touch('bEnd');
    await waitFor(() => actions.length === 2, 'the second touch');
    expect(actions.map((a) => [a.action, a.source])).toEqual([
      ['start', 'display'],
      ['end', 'display'],
    ]);
  });

  it('ignores and counts garbage and truncated messages from the display', async () => {
    const r = rig();
    const actions = record(r.bus, 'operatorAction');
    r.display.show(READY);
    await started(r);
    // Noise, a touch that lost its event byte, then a good touch on START.
    r.emulator.inject(Buffer.from([0x42, 0xfe, 0x65, 0x01, 0x0c, 0xff, 0xff, 0xff]));
    r.emulator.touch('bStart');
    await waitFor(() => actions.length === 1, 'the good touch');
    const stats = r.display.stats();
    expect(stats.garbageBytes).toBe(2);
    expect(stats.malformed).toBe(1);
    r.display.show(RESULT);
    await r.display.settled(AbortSignal.timeout(2000));
    expect(snapshot(r.emulator)).toEqual(screenOf(RESULT));
  });

  it('coalesces a burst of 1000 states at 9600 baud into a few writes ending on the last state', async () => {
    const r = rig({ baudRate: 9600 });
    await started(r);
    const before = r.display.stats().bytesWritten;
    const states = Array.from({ length: 1000 }, (_, i) => scanning(i + 1, (i % 100) / 100));
    for (const state of states) r.display.show(state);
    await r.display.settled(AbortSignal.timeout(5000));
    const sent = r.display.stats().bytesWritten - before;
    const naive = states.reduce((n, s) => n + wire(texts(renderPage(s))).length, 0);
    expect(sent).toBeLessThan(naive / 100);
    expect(r.display.stats().statesCoalesced).toBeGreaterThanOrEqual(998);
    expect(snapshot(r.emulator)).toEqual(screenOf(states[999]!));
  });

  it('paces writes to the baud rate', async () => {
    const r = rig({ baudRate: 9600 });
    r.display.show(READY);
    await started(r);
    const t0 = performance.now();
    r.display.show(scanning(1)); // a full page: about 330 bytes, 340 ms on the line
    r.display.show(scanning(2));
    await r.display.settled(AbortSignal.timeout(3000));
    const page = wire(texts(renderPage(scanning(1)))).length;
    expect(performance.now() - t0).toBeGreaterThanOrEqual((page * 10 * 1000) / 9600 - 5);
    expect(r.emulator.component('nFrames')?.val).toBe(2);
  });

  it('never throws into the caller, before start, after stop, or twice stopped', async () => {
    const r = rig();
    expect(() => r.display.show(READY)).not.toThrow();
    await r.display.stop();
    await started(r);
    await r.display.stop();
    await r.display.stop();
    expect(() => r.display.show(RESULT)).not.toThrow();
    expect(r.display.stats().connected).toBe(false);
    expect(r.link.connected).toBe(false);
  });

  it('health icons reach the display as coloured text', async () => {
    const r = rig();
    r.display.show({ ...READY, health: { ...HEALTH_OK, thermal: 'fail' } } as typeof READY);
    await started(r);
    expect(r.emulator.component('hThermal')).toMatchObject({ txt: 'fail', bco: 55_296 });
  });
});
