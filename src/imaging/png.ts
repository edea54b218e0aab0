import { deflateSync, inflateSync } from 'node:zlib';
import { MyoError } from '../core/errors.js';

/**
 * Minimal PNG for 8-bit gray images: encode (gray, filter chosen per row) and decode (8-bit gray, gray+alpha, RGB
 * or RGBA, any of the five filters, not interlaced; colour is converted to luma). Enough for the phantom data set
 * and for clinics' exported frames, without a native image library.
 */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Refuse images whose decoded size would exceed this many pixels (decompression bombs). */
const MAX_PIXELS = 64 * 1024 * 1024;

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  let c = (seed ^ 0xffffffff) >>> 0;
  for (let i = start; i < end; i++) c = (CRC_TABLE[(c ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function invalid(message: string, details: Record<string, unknown> = {}): MyoError {
  return new MyoError('MYO_ERR_FRAME_INVALID', `PNG: ${message}`, details);
}

/** One PNG chunk: length, type, data, CRC over type and data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

/** Magnitude of a residual as a signed byte: the filter-choice heuristic's cost. */
function cost(residual: number): number {
  const r = residual & 0xff;
  return r < 128 ? r : 256 - r;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encodes gray 8-bit pixels (tightly packed rows). Deterministic: same pixels, same bytes. */
export function encodeGrayPng(pixels: Uint8Array, width: number, height: number): Buffer {
  const sizeOk = Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1;
  if (!sizeOk || pixels.length !== width * height) {
    throw invalid(`cannot encode ${width}x${height} from ${pixels.length} bytes`, {
      width,
      height,
      bytes: pixels.length,
    });
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: gray
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // not interlaced

  // Per row, the filter with the smallest sum of absolute residuals (the usual heuristic) compresses best. One pass
  // scores all five filters, a second writes the winner.
  const stride = width + 1;
  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const prev = row - width;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    for (let x = 0; x < width; x++) {
      const v = pixels[row + x] ?? 0;
      const a = x > 0 ? (pixels[row + x - 1] ?? 0) : 0;
      const b = y > 0 ? (pixels[prev + x] ?? 0) : 0;
      const c = x > 0 && y > 0 ? (pixels[prev + x - 1] ?? 0) : 0;
      s0 += cost(v);
      s1 += cost(v - a);
      s2 += cost(v - b);
      s3 += cost(v - ((a + b) >> 1));
      s4 += cost(v - paeth(a, b, c));
    }
    const scores = [s0, s1, s2, s3, s4];
    let filter = 0;
    for (let f = 1; f < 5; f++) if ((scores[f] ?? Infinity) < (scores[filter] ?? Infinity)) filter = f;
    const out = y * stride;
    raw[out] = filter;
    for (let x = 0; x < width; x++) {
      const v = pixels[row + x] ?? 0;
      const a = x > 0 ? (pixels[row + x - 1] ?? 0) : 0;
      const b = y > 0 ? (pixels[prev + x] ?? 0) : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) pred = paeth(a, b, x > 0 && y > 0 ? (pixels[prev + x - 1] ?? 0) : 0);
      raw[out + 1 + x] = (v - pred) & 0xff;
    }
  }
  const idat = deflateSync(raw, { level: 6 });
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]);
}

export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Decodes a non-interlaced 8-bit gray / gray+alpha / RGB / RGBA PNG to gray (alpha ignored, colour to luma). */
export function decodeGrayPng(buf: Uint8Array): GrayImage {
  if (buf.length < SIGNATURE.length + 12 || !SIGNATURE.equals(buf.subarray(0, 8))) {
    throw invalid('not a PNG (bad signature)');
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  let sawHeader = false;
  let sawEnd = false;
  const idat: Uint8Array[] = [];
  while (pos < buf.length) {
    if (pos + 12 > buf.length) throw invalid('truncated chunk header', { offset: pos });
    const length = view.getUint32(pos);
    const type = String.fromCharCode(buf[pos + 4] ?? 0, buf[pos + 5] ?? 0, buf[pos + 6] ?? 0, buf[pos + 7] ?? 0);
    const dataStart = pos + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > buf.length) throw invalid(`truncated ${type} chunk`, { offset: pos });
    if (crc32(buf, pos + 4, dataEnd) !== view.getUint32(dataEnd)) {
      throw invalid(`CRC mismatch in ${type} chunk`, { offset: pos });
    }
    const data = buf.subarray(dataStart, dataEnd);
    if (!sawHeader && type !== 'IHDR') throw invalid('first chunk is not IHDR');
    if (type === 'IHDR') {
      if (sawHeader || length !== 13) throw invalid('bad IHDR');
      sawHeader = true;
      width = view.getUint32(dataStart);
      height = view.getUint32(dataStart + 4);
      const depth = data[8];
      const colour = data[9] ?? -1;
      const ch = CHANNELS[colour];
      if (depth !== 8 || ch === undefined) {
        const what = `bit depth ${depth ?? '?'}, colour type ${colour}`;
        throw invalid(`unsupported format (${what}); need 8-bit gray, gray+alpha, RGB or RGBA`, { depth, colour });
      }
      if (data[10] !== 0 || data[11] !== 0) throw invalid('unknown compression or filter method');
      if (data[12] !== 0) throw invalid('interlaced PNGs are not supported');
      if (width < 1 || height < 1 || width * height > MAX_PIXELS) throw invalid(`unsupported size ${width}x${height}`);
      channels = ch;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      sawEnd = true;
      break;
    } else if (((buf[pos + 4] ?? 0) & 0x20) === 0) {
      throw invalid(`unknown critical chunk ${type}`);
    }
    pos = dataEnd + 4;
  }
  if (!sawHeader || !sawEnd) throw invalid('missing IHDR or IEND');
  if (idat.length === 0) throw invalid('no image data');

  const stride = width * channels;
  const expected = (stride + 1) * height;
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch (cause) {
    throw new MyoError('MYO_ERR_FRAME_INVALID', 'PNG: image data does not inflate', {}, { cause });
  }
  if (raw.length !== expected) throw invalid(`image data has ${raw.length} bytes, expected ${expected}`);

  const cur = new Uint8Array(stride);
  const prev = new Uint8Array(stride);
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    for (let i = 0; i < stride; i++) {
      const x = raw[src + i] ?? 0;
      const a = i >= channels ? (cur[i - channels] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= channels ? (prev[i - channels] ?? 0) : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4:
          v = x + paeth(a, b, c);
          break;
        default:
          throw invalid(`bad filter type ${filter ?? '?'} on row ${y}`);
      }
      cur[i] = v & 0xff;
    }
    const row = y * width;
    if (channels === 1) pixels.set(cur, row);
    else if (channels === 2) for (let x = 0; x < width; x++) pixels[row + x] = cur[2 * x] ?? 0;
    else {
      for (let x = 0; x < width; x++) {
        const o = x * channels;
        // ITU-R BT.601 luma in integer arithmetic.
        pixels[row + x] = (77 * (cur[o] ?? 0) + 150 * (cur[o + 1] ?? 0) + 29 * (cur[o + 2] ?? 0) + 128) >> 8;
      }
    }
    prev.set(cur);
  }
  return { width, height, pixels };
}
