import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, decodeGrayPng, encodeGrayPng, pngChunk } from '../../src/imaging/png.js';

function pattern(width: number, height: number): Uint8Array {
  const px = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) px[y * width + x] = (x * 7 + y * 13 + ((x * y) % 31)) & 0xff;
  }
  return px;
}

/** A PNG built by hand: any colour type, with every row using `filter` (the encoder under test never does this). */
function handmadePng(width: number, height: number, colour: number, channels: number, rows: Uint8Array[], filter: number, interlace = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colour;
  ihdr[12] = interlace;
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  const prev = new Uint8Array(stride);
  rows.forEach((row, y) => {
    raw[y * (stride + 1)] = filter;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? row[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      const p = a + b - c;
      const pred = [0, a, b, (a + b) >> 1, Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c][filter]!;
      raw[y * (stride + 1) + 1 + i] = (row[i]! - pred) & 0xff;
    }
    prev.set(row);
  });
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0))]);
}

describe('png', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
  });

  it('round-trips gray images of odd sizes, deterministically', () => {
    for (const [w, h] of [[1, 1], [7, 3], [64, 48], [255, 17]] as const) {
      const px = pattern(w, h);
      const png = encodeGrayPng(px, w, h);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      const back = decodeGrayPng(png);
      expect(back.width).toBe(w);
      expect(back.height).toBe(h);
      expect(Buffer.from(back.pixels).equals(Buffer.from(px))).toBe(true);
      expect(encodeGrayPng(px, w, h).equals(png)).toBe(true);
    }
  });

  it('compresses a smooth image well', () => {
    const w = 200;
    const h = 100;
    const px = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = x + y;
    expect(encodeGrayPng(px, w, h).length).toBeLessThan(w * h * 0.05);
  });

  it.each([0, 1, 2, 3, 4])('decodes filter type %i for gray, RGB and RGBA', (filter) => {
    const w = 9;
    const h = 5;
    const grayRows = Array.from({ length: h }, (_, y) => Uint8Array.from({ length: w }, (_, x) => (x * 29 + y * 71) & 0xff));
    expect(Buffer.from(decodeGrayPng(handmadePng(w, h, 0, 1, grayRows, filter)).pixels).equals(Buffer.concat(grayRows))).toBe(true);

    const rgbRows = grayRows.map((row) => Uint8Array.from([...row].flatMap((v) => [v, v, v])));
    expect(Buffer.from(decodeGrayPng(handmadePng(w, h, 2, 3, rgbRows, filter)).pixels).equals(Buffer.concat(grayRows))).toBe(true);

    const rgbaRows = grayRows.map((row) => Uint8Array.from([...row].flatMap((v) => [v, v, v, 255])));
    expect(Buffer.from(decodeGrayPng(handmadePng(w, h, 6, 4, rgbaRows, filter)).pixels).equals(Buffer.concat(grayRows))).toBe(true);
  });

  it('converts colour to BT.601 luma', () => {
    const png = handmadePng(3, 1, 2, 3, [Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255])], 0);
    expect([...decodeGrayPng(png).pixels]).toEqual([77, 149, 29]);
  });

  it.each<[string, (png: Buffer) => Buffer]>([
    ['a bad signature', (png) => Buffer.concat([Buffer.from('JUNK'), png.subarray(4)])],
    ['a flipped data byte (CRC mismatch)', (png) => {
      const copy = Buffer.from(png);
      copy[45] = copy[45]! ^ 0xff;
      return copy;
    }],
    ['truncation', (png) => png.subarray(0, png.length - 20)],
    ['an empty buffer', () => Buffer.alloc(0)],
  ])('refuses %s with MYO_ERR_FRAME_INVALID', (_name, corrupt) => {
    const png = encodeGrayPng(pattern(32, 32), 32, 32);
    expect(() => decodeGrayPng(corrupt(png))).toThrow(expect.objectContaining({ code: 'MYO_ERR_FRAME_INVALID' }));
  });

  it('refuses interlaced, 16-bit and palette images with MYO_ERR_FRAME_INVALID', () => {
    const rows = [Uint8Array.from([1, 2, 3])];
    const interlaced = handmadePng(3, 1, 0, 1, rows, 0, 1);
    expect(() => decodeGrayPng(interlaced)).toThrow(expect.objectContaining({ code: 'MYO_ERR_FRAME_INVALID' }));
    const palette = handmadePng(3, 1, 3, 1, rows, 0);
    expect(() => decodeGrayPng(palette)).toThrow(expect.objectContaining({ code: 'MYO_ERR_FRAME_INVALID' }));
    const sixteen = Buffer.from(encodeGrayPng(Uint8Array.from([1, 2, 3]), 3, 1));
    sixteen[24] = 16; // bit depth byte of IHDR
    sixteen.writeUInt32BE(crc32(sixteen, 12, 29), 29);
    expect(() => decodeGrayPng(sixteen)).toThrow(/bit depth 16/);
  });

  it('refuses to encode mismatched sizes', () => {
    expect(() => encodeGrayPng(new Uint8Array(10), 4, 4)).toThrow(expect.objectContaining({ code: 'MYO_ERR_FRAME_INVALID' }));
  });
});
