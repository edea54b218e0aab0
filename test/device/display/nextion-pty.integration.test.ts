import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/core/event-bus.js';
import { displayStateFor, type DisplayInput } from '../../../src/device/display/display-state.js';
import { emulatorOverPty, type PtyEmulator } from '../../../src/device/display/emulator-pty.js';
import { NextionDisplay } from '../../../src/device/display/nextion-display.js';
import { renderPage } from '../../../src/device/display/pages.js';
import { serialPortOpener } from '../../../src/device/display/serial-link.js';
import type { ExamView } from '../../../src/screening/exam-machine.js';
import { silentLogger } from '../../helpers/silent-logger.js';
import { HEALTH_OK, READY, record, scanning, screenOf, snapshot, texts, waitFor, wire } from './helpers.js';

/**
 * The driver on its production path (serialport on a tty) against the emulator on the other end of a socat PTY
 * pair. Loopback only; every socat started here is stopped in afterEach.
 */
describe('NextionDisplay <-> emulator over a PTY pair', { timeout: 20_000 }, () => {
  let dir = '';
  let path = '';
  const ptys: PtyEmulator[] = [];
  const displays: NextionDisplay[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'myo-display-'));
    path = join(dir, 'display');
  });

  afterEach(async () => {
    await Promise.all(displays.splice(0).map((d) => d.stop()));
    await Promise.all(ptys.splice(0).map((p) => p.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  /** `powerOn: false` is a display that has been on for a while: no start-up message races the driver's open. */
  async function pty(powerOn = true): Promise<PtyEmulator> {
    const p = await emulatorOverPty(path, { powerOn });
    ptys.push(p);
    return p;
  }

  function driver(bus: EventBus, keepaliveMs = 60_000): NextionDisplay {
    const display = new NextionDisplay({
      open: serialPortOpener(path, 115_200),
      portName: path,
      baudRate: 115_200,
      bus,
      logger: silentLogger(),
      keepaliveMs,
      ackTimeoutMs: 1000,
      reconnect: { initialDelayMs: 50, maxDelayMs: 200, random: () => 0.5 },
    });
    displays.push(display);
    return display;
  }

  const MODEL = { id: 'lsnet', version: '1.2.0' };
  function input(view: ExamView): DisplayInput {
    return { version: '0.1.0', starting: false, view, faults: [], model: MODEL, update: null, health: HEALTH_OK, fps: 30 };
  }
  function scan(framesSeen: number, usableFrames: number, liveScore: number | null): ExamView {
    return { phase: 'scanning', examId: 'E1', startedAt: 0, cause: 'auto', framesSeen, usableFrames, liveScore, warmingUp: liveScore === null };
  }

  it('draws a whole exam byte for byte: full pages on page changes, diffs in between', async () => {
    const p = await pty(false);
    const display = driver(new EventBus());
    await display.start(AbortSignal.timeout(1000));
    const views: ExamView[] = [
      { phase: 'idle' },
      scan(5, 3, null),
      scan(30, 24, 0.35),
      scan(60, 50, 0.52),
      scan(90, 77, 0.52),
      { phase: 'result', examId: 'E1', decision: 'refer', reason: null, score: 0.61, endedAt: 9000 },
      { phase: 'idle' },
    ];
    for (const view of views) {
      display.show(displayStateFor(input(view)));
      await display.settled(AbortSignal.timeout(3000));
    }
    const health = [
      'hCapture.txt="ok"',
      'hCapture.bco=1280',
      'hModel.txt="ok"',
      'hModel.bco=1280',
      'hStorage.txt="ok"',
      'hStorage.bco=1280',
      'hThermal.txt="ok"',
      'hThermal.bco=1280',
      'hNetwork.txt="ok"',
      'hNetwork.bco=1280',
    ];
    const ready = ['page ready', 'tModel.txt="model lsnet 1.2.0"', ...health];
    const expected = [
      'bkcmd=3',
      'sendme',
      ...ready,
      'page scanning',
      'tScore.txt="warming up"',
      'jScore.val=0',
      'vis jScore,0',
      'nFrames.val=5',
      'nUsable.val=3',
      'tFps.txt="30.0 fps"',
      'tStatus.txt=""',
      ...health,
      'tScore.txt="0.35"',
      'jScore.val=35',
      'vis jScore,1',
      'nFrames.val=30',
      'nUsable.val=24',
      'tScore.txt="0.52"',
      'jScore.val=52',
      'nFrames.val=60',
      'nUsable.val=50',
      'nFrames.val=90',
      'nUsable.val=77',
      'page result',
      'tDecision.txt="REFER"',
      'tDecision.bco=55296',
      'tScore.txt="score 0.61"',
      'tReason.txt="Myometrial invasion suspected"',
      'tStatus.txt=""',
      ...health,
      ...ready,
    ];
    expect(p.emulator.instructions).toEqual(expected);
    expect(p.emulator.receivedBytes().equals(wire(expected))).toBe(true);
    expect(p.emulator.renderText()).toBe('[ready] model lsnet 1.2.0  | capture ok model ok storage ok thermal ok network ok');
    const stats = display.stats();
    expect(stats.acks).toBe(expected.length - 1); // every instruction but sendme, which answers with its page
    expect(stats.errors).toEqual({});
  });

  it('survives the PTY disappearing and a new one at the same path: reconnects, redraws, continues', async () => {
    const first = await pty();
    const bus = new EventBus();
    const connected = record(bus, 'displayConnected');
    const disconnected = record(bus, 'displayDisconnected');
    const display = driver(bus, 150);
    display.show(READY);
    await display.start(AbortSignal.timeout(1000));
    await display.settled(AbortSignal.timeout(3000));
    expect(snapshot(first.emulator)).toEqual(screenOf(READY));

    await first.stop(); // socat gone: the driver's next write (a keepalive probe) fails
    display.show(scanning(40, 0.25));
    await waitFor(() => disconnected.length >= 1, 'the driver to notice the PTY is gone');
    expect(display.stats().connected).toBe(false);

    const second = await pty();
    await waitFor(() => connected.length === 2, 'the reconnect', 10_000);
    await display.settled(AbortSignal.timeout(3000));
    // Whatever the new display saw before the driver synced with it, it ends with a full page of the newest state.
    const log = second.emulator.instructions;
    expect(log.slice(log.lastIndexOf('sendme') + 1)).toEqual(texts(renderPage(scanning(40, 0.25))));
    expect(snapshot(second.emulator)).toEqual(screenOf(scanning(40, 0.25)));
    expect(display.stats().reconnects).toBe(1);

    second.emulator.clearHistory();
    display.show(scanning(45, 0.25));
    await display.settled(AbortSignal.timeout(3000));
    expect(second.emulator.instructions.filter((t) => t !== 'sendme')).toEqual(['nFrames.val=45', 'nUsable.val=36']);
  });

  it('ignores and counts garbage and truncated messages from the display', async () => {
    const p = await pty(false);
    const bus = new EventBus();
    const actions = record(bus, 'operatorAction');
    const display = driver(bus);
    display.show(READY);
    await display.start(AbortSignal.timeout(1000));
    await display.settled(AbortSignal.timeout(3000));
    // Noise bytes, a number that lost two payload bytes, a touch whose event byte is bad.
    p.emulator.inject(Buffer.from([0x13, 0x37, 0xfe, 0x71, 0x01, 0x02, 0xff, 0xff, 0xff, 0x65, 0x01, 0x0c, 0x09, 0xff, 0xff, 0xff]));
    p.emulator.touch('bStart');
    await waitFor(() => actions.length === 1, 'the valid touch after the noise');
    expect(display.stats()).toMatchObject({ garbageBytes: 3, malformed: 2, connected: true });
    display.show(scanning(2));
    await display.settled(AbortSignal.timeout(3000));
    expect(snapshot(p.emulator)).toEqual(screenOf(scanning(2)));
  });

  it('turns touches on the emulator into operatorAction start and end', async () => {
    const p = await pty(false);
    const bus = new EventBus();
    const actions = record(bus, 'operatorAction');
    const display = driver(bus);
    display.show(READY);
    await display.start(AbortSignal.timeout(1000));
    await display.settled(AbortSignal.timeout(3000));
    p.emulator.touch('bStart');
    await waitFor(() => actions.length === 1, 'start');
    display.show(scanning(1, null));
    await display.settled(AbortSignal.timeout(3000));
    p.emulator.touch('bEnd');
    await waitFor(() => actions.length === 2, 'end');
    expect(actions.map((a) => ({ action: a.action, source: a.source }))).toEqual([
      { action: 'start', source: 'display' },
      { action: 'end', source: 'display' },
    ]);
  });
});
