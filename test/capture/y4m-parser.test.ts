import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../src/core/errors.js';
import { parseY4mHeader, Y4mParser } from '../../src/capture/y4m-parser.js';
import { patternFrame, randomChunks, seededRandom, y4mBytes } from './helpers.js';

function parseAll(parser: Y4mParser, chunks: Uint8Array[]): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (const chunk of chunks) for (const frame of parser.push(chunk)) frames.push(frame.data);
  return frames;
}

function expectStreamError(action: () => unknown, pattern: RegExp): void {
  let caught: unknown = null;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(isMyoError(caught, 'MYO_ERR_CAPTURE_STREAM')).toBe(true);
  expect((caught as Error).message).toMatch(pattern);
}

describe('Y4mParser', () => {
  const cases = [
    { colorSpace: 'mono', width: 33, height: 17 },
    { colorSpace: '420jpeg', width: 33, height: 17 },
    { colorSpace: '420mpeg2', width: 64, height: 48 },
    { colorSpace: '422', width: 31, height: 9 },
    { colorSpace: '444', width: 20, height: 10 },
  ];
  for (const { colorSpace, width, height } of cases) {
    it(`keeps the Y plane of C${colorSpace} ${width}x${height} under random chunking`, () => {
      const frames = [0, 1, 2, 3, 4].map((i) => patternFrame(width, height, i));
      const bytes = y4mBytes({ width, height, frames, colorSpace, frameParams: ' Ixyz' });
      for (const seed of [1, 2, 3]) {
        const random = seededRandom(seed);
        const parser = new Y4mParser();
        const got = parseAll(parser, randomChunks(bytes, random, seed === 1 ? 3 : 4096));
        expect(got).toHaveLength(frames.length);
        got.forEach((frame, i) => expect(Buffer.from(frame).equals(Buffer.from(frames[i]!))).toBe(true));
        expect(parser.header).toMatchObject({ width, height, colorSpace });
        expect(parser.pendingBytes).toBe(0);
      }
    });
  }

  it('parses the whole stream in one chunk and byte by byte alike', () => {
    const frames = [patternFrame(8, 4, 0), patternFrame(8, 4, 1)];
    const bytes = y4mBytes({ width: 8, height: 4, frames, colorSpace: '420jpeg' });
    const whole = parseAll(new Y4mParser(), [bytes]);
    const single = parseAll(new Y4mParser(), [...bytes].map((b) => Uint8Array.of(b)));
    expect(whole).toEqual(single);
    expect(whole).toHaveLength(2);
  });

  it('reports a partial frame as pending and completes it with the next chunk', () => {
    const frame = patternFrame(10, 10, 3);
    const bytes = y4mBytes({ width: 10, height: 10, frames: [frame] });
    const parser = new Y4mParser();
    expect(parser.push(bytes.subarray(0, bytes.length - 7))).toHaveLength(0);
    expect(parser.pendingBytes).toBe(93);
    const done = parser.push(bytes.subarray(bytes.length - 7));
    expect(done).toHaveLength(1);
    expect(parser.frameCount).toBe(1);
  });

  it('reads every header parameter', () => {
    const header = parseY4mHeader('YUV4MPEG2 W1920 H1080 F30000:1001 It A1:1 Cmono XCOLORRANGE=FULL');
    expect(header).toEqual({
      width: 1920,
      height: 1080,
      frameRate: { num: 30000, den: 1001 },
      interlace: 't',
      aspect: { num: 1, den: 1 },
      colorSpace: 'mono',
      extensions: ['COLORRANGE=FULL'],
      frameBytes: 1920 * 1080,
    });
    expect(parseY4mHeader('YUV4MPEG2 W4 H2 F0:0 A0:0')).toMatchObject({
      frameRate: null,
      aspect: null,
      colorSpace: '420jpeg',
      frameBytes: 8 + 2 * 2,
    });
  });

  it('refuses malformed headers with MYO_ERR_CAPTURE_STREAM and a clear message', () => {
    const bad: [string, RegExp][] = [
      ['RIFF1234 W4 H4\n', /does not start with YUV4MPEG2/],
      ['YUV4MPEG2 H4\n', /lacks the W/],
      ['YUV4MPEG2 W4\n', /lacks the W \(width\) or H/],
      ['YUV4MPEG2 W0 H4\n', /width 0 is outside/],
      ['YUV4MPEG2 W99999 H4\n', /width 99999 is outside/],
      ['YUV4MPEG2 Wabc H4\n', /Wabc is not a positive integer/],
      ['YUV4MPEG2 W4 H4 F30\n', /F30 is not a ratio/],
      ['YUV4MPEG2 W4 H4 F30:0\n', /zero term/],
      ['YUV4MPEG2 W4 H4 Iq\n', /interlace/],
      ['YUV4MPEG2 W4 H4 C420p10\n', /colour space C420p10 is not supported/],
      ['YUV4MPEG2 W4  H4\n', /empty parameter/],
      [`YUV4MPEG2 W4 H4 X${'a'.repeat(2000)}\n`, /longer than 1024 bytes/],
    ];
    for (const [text, pattern] of bad) expectStreamError(() => new Y4mParser().push(Buffer.from(text)), pattern);
  });

  it('refuses a non-Y4M stream at its first bytes, before a whole line arrives', () => {
    expectStreamError(() => new Y4mParser().push(Uint8Array.of(0x89, 0x50, 0x4e, 0x47)), /\\x89PNG/);
  });

  it('refuses garbage where a FRAME line belongs, and stays failed', () => {
    const good = y4mBytes({ width: 4, height: 2, frames: [patternFrame(4, 2, 0)] });
    const parser = new Y4mParser();
    expect(parser.push(good)).toHaveLength(1);
    expectStreamError(() => parser.push(Buffer.from('FRAMX\n')), /expected a FRAME line after frame 1/);
    expectStreamError(() => parser.push(Buffer.from('FRAME\n')), /expected a FRAME line/);
    expectStreamError(() => new Y4mParser().push(Buffer.concat([good, Buffer.from('FRAMES\n')])), /expected a FRAME/);
  });

  it('applies the configured size limit', () => {
    expectStreamError(() => new Y4mParser({ maxWidth: 640 }).push(Buffer.from('YUV4MPEG2 W1920 H1080\n')), /outside 1..640/);
  });
});
