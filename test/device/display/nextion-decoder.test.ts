import { describe, expect, it } from 'vitest';
import { NextionDecoder, encodeReturn, type NextionReturn } from '../../../src/device/display/nextion-protocol.js';

const FF3 = [0xff, 0xff, 0xff];

/** Every kind of message, written out by hand (not through encodeReturn) so the decoder is checked against bytes. */
const CASES: readonly { name: string; bytes: number[]; message: NextionReturn }[] = [
  { name: 'start-up', bytes: [0x00, 0x00, 0x00, ...FF3], message: { type: 'startup' } },
  { name: 'ready', bytes: [0x88, ...FF3], message: { type: 'ready' } },
  { name: 'ok', bytes: [0x01, ...FF3], message: { type: 'ok' } },
  { name: 'invalid variable', bytes: [0x1a, ...FF3], message: { type: 'error', code: 0x1a, error: 'invalid_variable' } },
  { name: 'buffer overflow', bytes: [0x24, ...FF3], message: { type: 'error', code: 0x24, error: 'buffer_overflow' } },
  { name: 'sleep', bytes: [0x86, ...FF3], message: { type: 'sleep' } },
  { name: 'wake', bytes: [0x87, ...FF3], message: { type: 'wake' } },
  { name: 'invalid instruction', bytes: [0x00, ...FF3], message: { type: 'error', code: 0x00, error: 'invalid_instruction' } },
  { name: 'invalid component', bytes: [0x02, ...FF3], message: { type: 'error', code: 0x02, error: 'invalid_component' } },
  { name: 'invalid page', bytes: [0x03, ...FF3], message: { type: 'error', code: 0x03, error: 'invalid_page' } },
  { name: 'touch press', bytes: [0x65, 0x02, 0x0f, 0x01, ...FF3], message: { type: 'touch', page: 2, component: 15, event: 'press' } },
  { name: 'touch release', bytes: [0x65, 0x03, 0x10, 0x00, ...FF3], message: { type: 'touch', page: 3, component: 16, event: 'release' } },
  { name: 'current page', bytes: [0x66, 0x04, ...FF3], message: { type: 'page', page: 4 } },
  { name: 'string', bytes: [0x70, 0x41, 0x42, 0xe9, ...FF3], message: { type: 'string', text: 'ABé' } },
  { name: 'empty string', bytes: [0x70, ...FF3], message: { type: 'string', text: '' } },
  { name: 'number', bytes: [0x71, 0x0c, 0x00, 0x00, 0x00, ...FF3], message: { type: 'number', value: 12 } },
  { name: 'number with FF bytes (-1)', bytes: [0x71, 0xff, 0xff, 0xff, 0xff, ...FF3], message: { type: 'number', value: -1 } },
  { name: 'number 0xFFFFFF00', bytes: [0x71, 0x00, 0xff, 0xff, 0xff, ...FF3], message: { type: 'number', value: -256 } },
  { name: 'number 0x7FFFFFFF', bytes: [0x71, 0xff, 0xff, 0xff, 0x7f, ...FF3], message: { type: 'number', value: 2_147_483_647 } },
  {
    name: 'touch coordinates',
    bytes: [0x67, 0x01, 0x2c, 0x00, 0x64, 0x01, ...FF3],
    message: { type: 'coordinates', x: 300, y: 100, event: 'press', asleep: false },
  },
];

const ALL = CASES.flatMap((c) => c.bytes);
const ALL_MESSAGES = CASES.map((c) => c.message);

describe('NextionDecoder', () => {
  it.each(CASES)('decodes $name', ({ bytes, message }) => {
    const decoder = new NextionDecoder();
    expect(decoder.push(Buffer.from(bytes), 0)).toEqual([message]);
    expect(decoder.counters).toEqual({ messages: 1, garbageBytes: 0, malformed: 0 });
    expect(decoder.pendingBytes).toBe(0);
  });

  it.each(CASES)('encodes $name to the same bytes it decodes', ({ bytes, message }) => {
    expect([...encodeReturn(message)]).toEqual(bytes);
  });

  it('decodes every message back to back in one chunk', () => {
    const decoder = new NextionDecoder();
    expect(decoder.push(Buffer.from(ALL), 0)).toEqual(ALL_MESSAGES);
    expect(decoder.counters).toEqual({ messages: CASES.length, garbageBytes: 0, malformed: 0 });
  });

  it('gives the same messages when the stream is split at any offset', () => {
    for (let cut = 0; cut <= ALL.length; cut++) {
      const decoder = new NextionDecoder();
      const got = [...decoder.push(Buffer.from(ALL.slice(0, cut)), 0), ...decoder.push(Buffer.from(ALL.slice(cut)), 1)];
      expect(got, `cut at ${cut}`).toEqual(ALL_MESSAGES);
      expect(decoder.counters.malformed + decoder.counters.garbageBytes, `cut at ${cut}`).toBe(0);
    }
  });

  it('gives the same messages when fed one byte at a time', () => {
    const decoder = new NextionDecoder();
    const got = ALL.flatMap((byte, i) => decoder.push(Buffer.from([byte]), i));
    expect(got).toEqual(ALL_MESSAGES);
  });

  it('parses a number by its length even when its payload looks like a terminator', () => {
    // 71 FF FF FF 00 FF FF FF: splitting on FF FF FF would see "71" and "00" here.
    const decoder = new NextionDecoder();
    expect(decoder.push(Buffer.from([0x71, 0xff, 0xff, 0xff, 0x00, ...FF3, 0x01, ...FF3]), 0)).toEqual([
      { type: 'number', value: 0x00ffffff },
      { type: 'ok' },
    ]);
  });

  it('skips and counts garbage between messages', () => {
    const decoder = new NextionDecoder();
    const got = decoder.push(Buffer.from([0x42, 0x43, 0x01, ...FF3, 0xff, 0x99, 0x66, 0x02, ...FF3, 0x7e]), 0);
    expect(got).toEqual([{ type: 'ok' }, { type: 'page', page: 2 }]);
    expect(decoder.counters).toEqual({ messages: 2, garbageBytes: 5, malformed: 0 });
  });

  it('drops a message that lost bytes and reads the valid one after it', () => {
    // A number that lost two payload bytes still ends in FF FF FF; the ok after it must not be eaten or misread.
    const decoder = new NextionDecoder();
    const got = decoder.push(Buffer.from([0x71, 0x01, 0x02, ...FF3, 0x01, ...FF3]), 0);
    expect(got).toEqual([{ type: 'ok' }]);
    expect(decoder.counters).toEqual({ messages: 1, garbageBytes: 0, malformed: 1 });
  });

  it('drops a touch event with a bad event byte and resyncs', () => {
    const decoder = new NextionDecoder();
    const got = decoder.push(Buffer.from([0x65, 0x01, 0x02, 0x07, ...FF3, 0x88, ...FF3]), 0);
    expect(got).toEqual([{ type: 'ready' }]);
    expect(decoder.counters.malformed).toBe(1);
  });

  it('treats a leading code without its terminator as noise and resyncs at the next message start', () => {
    const decoder = new NextionDecoder();
    const got = decoder.push(Buffer.from([0x01, 0x02, ...FF3]), 0);
    expect(got).toEqual([{ type: 'error', code: 0x02, error: 'invalid_component' }]);
    expect(decoder.counters).toEqual({ messages: 1, garbageBytes: 0, malformed: 1 });
  });

  it('drops a partial message that waits too long, so the next message is read on its own', () => {
    const decoder = new NextionDecoder({ partialTimeoutMs: 100 });
    expect(decoder.push(Buffer.from([0x65, 0x00, 0x02]), 0)).toEqual([]);
    expect(decoder.pendingBytes).toBe(3);
    // Without the timeout these 4 bytes would complete a 7-byte touch event: 65 00 02 01 FF FF FF.
    expect(decoder.push(Buffer.from([0x01, ...FF3]), 500)).toEqual([{ type: 'ok' }]);
    expect(decoder.counters).toEqual({ messages: 1, garbageBytes: 0, malformed: 1 });
  });

  it('keeps a partial message that is still arriving within the timeout', () => {
    const decoder = new NextionDecoder({ partialTimeoutMs: 100 });
    expect(decoder.push(Buffer.from([0x71, 0x05]), 0)).toEqual([]);
    expect(decoder.push(Buffer.from([0x00, 0x00]), 60)).toEqual([]);
    expect(decoder.push(Buffer.from([0x00, ...FF3]), 90)).toEqual([{ type: 'number', value: 5 }]);
    expect(decoder.counters.malformed).toBe(0);
  });

  it("counts a partial message's age from its first byte, not from its last chunk", () => {
    const decoder = new NextionDecoder({ partialTimeoutMs: 100 });
    decoder.push(Buffer.from([0x71, 0x05]), 0);
    decoder.push(Buffer.from([0x00, 0x00]), 60);
    // 70 ms after the last chunk but 130 ms after the message began: the number is dropped, and the bytes that
    // would have completed it are read on their own (00 FF FF FF is an invalid-instruction reply).
    expect(decoder.push(Buffer.from([0x00, ...FF3]), 130)).toEqual([{ type: 'error', code: 0x00, error: 'invalid_instruction' }]);
    expect(decoder.counters.malformed).toBe(1);
  });

  it('drops strings longer than the cap and reads on', () => {
    const decoder = new NextionDecoder({ maxStringBytes: 8 });
    const long = [0x70, ...Buffer.from('ABCDEFGHIJKL', 'latin1'), ...FF3];
    const got = decoder.push(Buffer.from([...long, 0x01, ...FF3]), 0);
    expect(got).toEqual([{ type: 'ok' }]);
    expect(decoder.counters.malformed).toBe(1);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('holds back no more than one message while waiting', () => {
    const decoder = new NextionDecoder({ maxStringBytes: 16 });
    decoder.push(Buffer.from([0x70, ...Buffer.alloc(10, 0x41)]), 0);
    expect(decoder.pendingBytes).toBe(11);
    decoder.push(Buffer.alloc(40, 0x41), 1);
    expect(decoder.pendingBytes).toBeLessThanOrEqual(16);
    expect(decoder.counters.malformed).toBe(1);
  });

  it('tells start-up from invalid-instruction replies', () => {
    const decoder = new NextionDecoder();
    const got = decoder.push(Buffer.from([0x00, ...FF3, 0x00, 0x00, 0x00, ...FF3, 0x00, ...FF3]), 0);
    expect(got.map((m) => m.type)).toEqual(['error', 'startup', 'error']);
  });

  it('forgets a partial message on reset but keeps its counters', () => {
    const decoder = new NextionDecoder();
    decoder.push(Buffer.from([0x42, 0x65, 0x01]), 0);
    decoder.reset();
    expect(decoder.pendingBytes).toBe(0);
    expect(decoder.push(Buffer.from([0x01, ...FF3]), 1)).toEqual([{ type: 'ok' }]);
    expect(decoder.counters.garbageBytes).toBe(1);
  });
});
