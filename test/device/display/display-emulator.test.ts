import { describe, expect, it } from 'vitest';
import { decodeGrayPng } from '../../../src/imaging/png.js';
import { NextionEmulator } from '../../../src/device/display/display-emulator.js';
import { NextionDecoder, encodeInstructions, renderPage, type NextionReturn } from '../../../src/device/display/index.js';

const FF3 = [0xff, 0xff, 0xff];
const HEALTH = { capture: 'ok', model: 'ok', storage: 'warn', thermal: 'ok', network: 'fail' } as const;

/** An emulator with its replies decoded. */
function harness(): { emulator: NextionEmulator; replies: NextionReturn[]; send: (...texts: string[]) => NextionReturn[] } {
  const emulator = new NextionEmulator();
  const decoder = new NextionDecoder();
  const replies: NextionReturn[] = [];
  emulator.onTransmit((bytes) => replies.push(...decoder.push(bytes, 0)));
  const send = (...texts: string[]): NextionReturn[] => {
    const from = replies.length;
    emulator.receive(Buffer.concat(texts.map((t) => Buffer.from([...Buffer.from(t, 'latin1'), ...FF3]))));
    return replies.slice(from);
  };
  return { emulator, replies, send };
}

describe('NextionEmulator', () => {
  it('announces itself at power-on', () => {
    const emulator = new NextionEmulator();
    const out: number[] = [];
    emulator.onTransmit((b) => out.push(...b));
    emulator.powerOn();
    expect(out).toEqual([0x00, 0x00, 0x00, ...FF3, 0x88, ...FF3]);
    expect(emulator.page).toBe('boot');
    expect(emulator.bkcmd).toBe(2);
  });

  it('answers failures only at bkcmd 2, everything at 3, successes only at 1, nothing at 0', () => {
    const { send } = harness();
    expect(send('page ready')).toEqual([]);
    expect(send('tNope.txt="x"')).toEqual([{ type: 'error', code: 0x1a, error: 'invalid_variable' }]);
    expect(send('bkcmd=3')).toEqual([{ type: 'ok' }]);
    expect(send('tModel.txt="m"', 'tModel.foo=1')).toEqual([{ type: 'ok' }, { type: 'error', code: 0x1a, error: 'invalid_variable' }]);
    expect(send('bkcmd=1', 'tModel.txt="m"', 'tNope.txt="x"')).toEqual([{ type: 'ok' }, { type: 'ok' }]);
    expect(send('bkcmd=0', 'tModel.txt="m"', 'tNope.txt="x"')).toEqual([]);
  });

  it('answers 0x00 to an instruction it cannot parse and 0x03 to an unknown page', () => {
    const { send } = harness();
    send('bkcmd=3');
    expect(send('cls RED')).toEqual([{ type: 'error', code: 0x00, error: 'invalid_instruction' }]);
    expect(send('t0.txt="unterminated')).toEqual([{ type: 'error', code: 0x00, error: 'invalid_instruction' }]);
    expect(send('page nowhere')).toEqual([{ type: 'error', code: 0x03, error: 'invalid_page' }]);
    expect(send('page 3')).toEqual([{ type: 'ok' }]);
  });

  it('keeps component values, capped at their capacity, and answers get and sendme', () => {
    const { emulator, send } = harness();
    send('page fault', 'tDetail.txt="say \\"hi\\" \\\\"', 'tKind.txt="ABCDEFGHIJKLMNOPQRSTUVWXYZ"', 'hModel.bco=1234', 'vis tDetail,0');
    expect(emulator.component('tDetail')).toMatchObject({ txt: 'say "hi" \\', vis: false });
    expect(emulator.component('tKind')?.txt).toBe('ABCDEFGHIJKLMNOP');
    expect(send('get hModel.bco')).toEqual([{ type: 'number', value: 1234 }]);
    expect(send('get tKind.txt')).toEqual([{ type: 'string', text: 'ABCDEFGHIJKLMNOP' }]);
    expect(send('sendme')).toEqual([{ type: 'page', page: 4 }]);
    expect(send('get dp')).toEqual([{ type: 'number', value: 4 }]);
  });

  it('resets a page to its design when it is entered again', () => {
    const { emulator, send } = harness();
    send('page scanning', 'tScore.txt="0.91"', 'nFrames.val=50', 'page ready', 'page scanning');
    expect(emulator.component('tScore')?.txt).toBe('warming up');
    expect(emulator.component('nFrames')?.val).toBe(0);
  });

  it('reports sleep and wake', () => {
    const { emulator, send } = harness();
    expect(send('sleep=1')).toEqual([{ type: 'sleep' }]);
    expect(emulator.asleep).toBe(true);
    expect(send('sleep=0')).toEqual([{ type: 'wake' }]);
    expect(send('dim=30')).toEqual([]);
    expect(emulator.dim).toBe(30);
  });

  it('executes instructions split across chunks and records what it received', () => {
    const { emulator } = harness();
    const bytes = encodeInstructions(renderPage({ page: 'boot', version: '9.9' }));
    for (const b of bytes) emulator.receive(Buffer.from([b]));
    expect(emulator.instructions).toEqual(['page boot', 'tVersion.txt="version 9.9"']);
    expect(emulator.receivedBytes().equals(bytes)).toBe(true);
  });

  it('overflows like the device when the host floods it without terminators', () => {
    const { send, emulator } = harness();
    const before = send('page ready');
    expect(before).toEqual([]);
    const replies: NextionReturn[] = [];
    const decoder = new NextionDecoder();
    emulator.onTransmit((b) => replies.push(...decoder.push(b, 0)));
    emulator.receive(Buffer.alloc(2000, 0x41));
    expect(replies).toEqual([{ type: 'error', code: 0x24, error: 'buffer_overflow' }]);
  });

  it('sends a press and a release for a touch on the current page', () => {
    const { emulator, replies, send } = harness();
    send('page result');
    emulator.touch('bAck');
    const id = 4 + 10 + 1; // tDecision, tScore, tReason, tStatus, ten health components, then bAck
    expect(replies).toEqual([
      { type: 'touch', page: 3, component: id, event: 'press' },
      { type: 'touch', page: 3, component: id, event: 'release' },
    ]);
  });

  it('renders its screen as one line of text', () => {
    const { emulator } = harness();
    emulator.receive(encodeInstructions(renderPage({ page: 'result', decision: 'refer', reason: 'Invasion suspected', score: 0.67, notice: null, health: HEALTH })));
    expect(emulator.renderText()).toBe(
      '[result] REFER  score 0.67  Invasion suspected  | capture ok model ok storage warn thermal ok network fail',
    );
    emulator.receive(encodeInstructions(renderPage({ page: 'scanning', score: null, frames: 12, usableFrames: 7, fps: 25, notice: null, health: HEALTH })));
    expect(emulator.renderText()).toBe(
      '[scanning] warming up  frames 12  usable 7  25.0 fps  | capture ok model ok storage warn thermal ok network fail',
    );
  });

  it('renders its screen as a 480x272 PNG that changes with the content', () => {
    const { emulator } = harness();
    emulator.receive(encodeInstructions(renderPage({ page: 'result', decision: 'refer', reason: 'r', score: 0.9, notice: null, health: HEALTH })));
    const refer = decodeGrayPng(emulator.renderPng());
    expect([refer.width, refer.height]).toEqual([480, 272]);
    emulator.receive(encodeInstructions(renderPage({ page: 'result', decision: 'no_invasion', reason: 'r', score: 0.1, notice: null, health: HEALTH })));
    const clear = decodeGrayPng(emulator.renderPng());
    // The decision banner (8..472 x 8..64) differs in colour and text; the health strip's first cell does not.
    const banner = (img: typeof refer): number[] => [...img.pixels.subarray(30 * 480 + 8, 30 * 480 + 472)];
    expect(banner(refer)).not.toEqual(banner(clear));
    const cell = (img: typeof refer): number[] => [...img.pixels.subarray(258 * 480 + 4, 258 * 480 + 96)];
    expect(cell(refer)).toEqual(cell(clear));
    // The refer banner is red: its background gray is the red's luminance, not black.
    expect(refer.pixels[12 * 480 + 10]).toBeGreaterThan(40);
  });
});
