import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import {
  BkcmdTracker,
  bkcmd,
  dim,
  displayableText,
  encodeInstructions,
  get,
  instructionKey,
  instructionText,
  page,
  repliesAt,
  rgb565,
  sendme,
  setColour,
  setText,
  setValue,
  sleep,
  visible,
} from '../../../src/device/display/nextion-protocol.js';

const FF3 = [0xff, 0xff, 0xff];

function ascii(text: string): number[] {
  return [...Buffer.from(text, 'latin1')];
}

describe('Nextion instruction helpers', () => {
  it('write the documented ASCII forms', () => {
    expect(instructionText(setText('t0', 'hello'))).toBe('t0.txt="hello"');
    expect(instructionText(setValue('n0', 12))).toBe('n0.val=12');
    expect(instructionText(setValue('n0', -7.6))).toBe('n0.val=-8');
    expect(instructionText(page('result'))).toBe('page result');
    expect(instructionText(bkcmd(3))).toBe('bkcmd=3');
    expect(instructionText(sleep(true))).toBe('sleep=1');
    expect(instructionText(sleep(false))).toBe('sleep=0');
    expect(instructionText(dim(55))).toBe('dim=55');
    expect(instructionText(setColour('t0', 'pco', 63488))).toBe('t0.pco=63488');
    expect(instructionText(visible('obj', true))).toBe('vis obj,1');
    expect(instructionText(visible('obj', false))).toBe('vis obj,0');
    expect(instructionText(sendme())).toBe('sendme');
    expect(instructionText(get('t0.txt'))).toBe('get t0.txt');
    expect(instructionText(get('dim'))).toBe('get dim');
  });

  it('clamps numbers to what the display accepts', () => {
    expect(instructionText(dim(150))).toBe('dim=100');
    expect(instructionText(dim(-3))).toBe('dim=0');
    expect(instructionText(setColour('b0', 'bco', 70_000))).toBe('b0.bco=65535');
    expect(instructionText(setValue('n0', 3e12))).toBe('n0.val=2147483647');
    expect(instructionText(setValue('n0', Number.NaN))).toBe('n0.val=0');
  });

  it('terminates every instruction with FF FF FF', () => {
    const bytes = encodeInstructions([page('ready'), setValue('n0', 5)]);
    expect([...bytes]).toEqual([...ascii('page ready'), ...FF3, ...ascii('n0.val=5'), ...FF3]);
  });

  it('escapes quotes and backslashes inside strings', () => {
    expect(instructionText(setText('t0', 'say "hi" \\ bye'))).toBe('t0.txt="say \\"hi\\" \\\\ bye"');
  });

  it('keeps Latin-1, folds typographic characters and replaces the rest with ?', () => {
    expect(displayableText('Gebärmutter – “ok”…', 100)).toBe('Gebärmutter - "ok"...');
    expect(displayableText('热 \u{1F600} x', 100)).toBe('? ? x');
    expect(displayableText('a\nb\tc\u0007', 100)).toBe('a b c?');
    // 0xFF would end the instruction early: it must never be sent.
    const bytes = encodeInstructions([setText('t0', 'ÿÿ')]);
    expect(bytes.subarray(0, bytes.length - 3).includes(0xff)).toBe(false);
    expect(instructionText(setText('t0', 'ÿ'))).toBe('t0.txt="y"');
  });

  it('writes Latin-1 as one byte a character', () => {
    expect([...encodeInstructions([setText('t0', 'é')])]).toEqual([...ascii('t0.txt="'), 0xe9, 0x22, ...FF3]);
  });

  it('caps text at the component capacity, marking the cut', () => {
    expect(instructionText(setText('t0', 'abcdefgh', 5))).toBe('t0.txt="abcd~"');
    expect(instructionText(setText('t0', 'abcde', 5))).toBe('t0.txt="abcde"');
    // The cap counts characters shown, not the escapes added for the wire.
    expect(instructionText(setText('t0', '""""', 4))).toBe('t0.txt="\\"\\"\\"\\""');
  });

  it('refuses names the display could not parse', () => {
    const attempts = [() => setText('t 0', 'x'), () => setText('t0;page', 'x'), () => page('1st'), () => setColour('t0', 'PCO', 1), () => get('a.b.c')];
    for (const attempt of attempts) {
      let caught: unknown = null;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(isMyoError(caught, 'MYO_ERR_DISPLAY_PROTOCOL')).toBe(true);
    }
  });

  it('keys instructions by what they overwrite', () => {
    expect(instructionKey(setText('t0', 'a'))).toBe(instructionKey(setText('t0', 'b')));
    expect(instructionKey(setText('t0', 'a'))).not.toBe(instructionKey(setColour('t0', 'bco', 1)));
    expect(instructionKey(visible('t0', true))).toBe('t0.vis');
    expect(instructionKey(page('a'))).toBe(instructionKey(page('b')));
  });

  it('converts RGB to RGB565', () => {
    expect(rgb565(255, 0, 0)).toBe(0xf800);
    expect(rgb565(0, 255, 0)).toBe(0x07e0);
    expect(rgb565(0, 0, 255)).toBe(0x001f);
    expect(rgb565(255, 255, 255)).toBe(0xffff);
  });
});

describe('bkcmd levels', () => {
  it('say which outcomes are answered', () => {
    expect(repliesAt(0)).toEqual({ onSuccess: false, onFailure: false });
    expect(repliesAt(1)).toEqual({ onSuccess: true, onFailure: false });
    expect(repliesAt(2)).toEqual({ onSuccess: false, onFailure: true });
    expect(repliesAt(3)).toEqual({ onSuccess: true, onFailure: true });
  });

  it('are tracked from instructions sent and start-up messages received', () => {
    const tracker = new BkcmdTracker();
    expect(tracker.level).toBe(2);
    expect(tracker.expectsReply(setValue('n0', 1))).toBe(false);
    tracker.sent(bkcmd(3));
    expect(tracker.level).toBe(3);
    expect(tracker.expectsReply(setValue('n0', 1))).toBe(true);
    // sendme and get answer with data, not 0x01.
    expect(tracker.expectsReply(sendme())).toBe(false);
    expect(tracker.expectsReply(get('n0.val'))).toBe(false);
    tracker.received({ type: 'ok' });
    expect(tracker.level).toBe(3);
    tracker.received({ type: 'startup' });
    expect(tracker.level).toBe(2);
    tracker.sent(bkcmd(0));
    expect(tracker.level).toBe(0);
  });
});
