import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../src/core/errors.js';
import { gstreamerGray8Stride, RawFrameParser } from '../../src/capture/raw-frame-parser.js';
import { patternFrame, randomChunks, seededRandom } from './helpers.js';

/** Pads each row of a tight frame to `stride` bytes with 0xEE, as GStreamer does with its own padding bytes. */
function pad(frame: Uint8Array, width: number, height: number, stride: number): Uint8Array {
  const out = new Uint8Array(stride * height).fill(0xee);
  for (let y = 0; y < height; y++) out.set(frame.subarray(y * width, (y + 1) * width), y * stride);
  return out;
}

describe('RawFrameParser', () => {
  it('computes the GStreamer GRAY8 stride (rows padded to 4 bytes)', () => {
    expect(gstreamerGray8Stride(1366)).toBe(1368);
    expect(gstreamerGray8Stride(1920)).toBe(1920);
    expect(gstreamerGray8Stride(7)).toBe(8);
  });

  for (const [width, height, stride] of [
    [16, 9, 16],
    [1366, 6, 1368],
    [13, 7, 21],
  ] as const) {
    it(`repacks ${width}x${height} stride ${stride} frames tightly under random chunking`, () => {
      const frames = [0, 1, 2].map((i) => patternFrame(width, height, i));
      const stream = Buffer.concat(frames.map((f) => pad(f, width, height, stride)));
      for (const seed of [5, 6]) {
        const parser = new RawFrameParser({ width, height, stride });
        const got: Uint8Array[] = [];
        for (const chunk of randomChunks(stream, seededRandom(seed), seed === 5 ? 5 : 3000)) {
          for (const image of parser.push(chunk)) {
            expect(image).toMatchObject({ width, height });
            got.push(image.data);
          }
        }
        expect(got).toHaveLength(3);
        got.forEach((frame, i) => expect(Buffer.from(frame).equals(Buffer.from(frames[i]!))).toBe(true));
        expect(parser.pendingBytes).toBe(0);
      }
    });
  }

  it('holds a partial frame as pending bytes', () => {
    const parser = new RawFrameParser({ width: 4, height: 4, stride: 8 });
    expect(parser.frameBytes).toBe(32);
    expect(parser.push(new Uint8Array(31))).toHaveLength(0);
    expect(parser.pendingBytes).toBe(31);
    expect(parser.push(new Uint8Array(33))).toHaveLength(2);
    expect(parser.pendingBytes).toBe(0);
  });

  it('refuses impossible geometry', () => {
    for (const geometry of [
      { width: 10, height: 10, stride: 8 },
      { width: 0, height: 10 },
      { width: 10, height: 2.5 },
    ]) {
      let caught: unknown = null;
      try {
        new RawFrameParser(geometry);
      } catch (error) {
        caught = error;
      }
      expect(isMyoError(caught, 'MYO_ERR_CAPTURE_STREAM')).toBe(true);
    }
  });
});
