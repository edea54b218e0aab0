import { MyoError } from '../core/errors.js';
import { describeBytes, type FrameStreamParser, type GrayImage } from './gray-frame.js';

/** The stream header of a YUV4MPEG2 stream, as parsed. */
export interface Y4mHeader {
  readonly width: number;
  readonly height: number;
  /** `F` as a ratio; null when absent or 0:0 (unknown). */
  readonly frameRate: { readonly num: number; readonly den: number } | null;
  /** `I`: p, t, b, m or ?; null when absent. */
  readonly interlace: string | null;
  /** `A` as a ratio; null when absent or 0:0. */
  readonly aspect: { readonly num: number; readonly den: number } | null;
  /** `C`; `420jpeg` when absent (the format's default). */
  readonly colorSpace: string;
  /** `X` parameters (and unknown tags) verbatim, without the leading letter for `X`. */
  readonly extensions: readonly string[];
  /** Bytes of one frame's payload, all planes. */
  readonly frameBytes: number;
}

export interface Y4mParserOptions {
  /** Largest accepted frame size, so a corrupt header cannot make us allocate gigabytes (default 8192). */
  readonly maxWidth?: number;
  readonly maxHeight?: number;
}

const MAGIC = 'YUV4MPEG2';
const FRAME = 'FRAME';
const MAX_LINE = 1024;
const NEWLINE = 0x0a;

/** Total payload bytes per frame for the 8-bit colour spaces we accept; only the Y plane is kept. */
function frameBytesFor(colorSpace: string, width: number, height: number): number | null {
  const luma = width * height;
  const halfW = Math.ceil(width / 2);
  switch (colorSpace) {
    case 'mono':
      return luma;
    case '420':
    case '420jpeg':
    case '420paldv':
    case '420mpeg2':
      return luma + 2 * halfW * Math.ceil(height / 2);
    case '411':
      return luma + 2 * Math.ceil(width / 4) * height;
    case '422':
      return luma + 2 * halfW * height;
    case '444':
      return 3 * luma;
    case '444alpha':
      return 4 * luma;
    default:
      return null;
  }
}

function malformed(message: string, details: Record<string, unknown> = {}): MyoError {
  return new MyoError('MYO_ERR_CAPTURE_STREAM', `Y4M stream is malformed: ${message}`, details);
}

function parseRatio(tag: string, value: string): { num: number; den: number } | null {
  const match = /^(\d+):(\d+)$/.exec(value);
  if (!match) throw malformed(`parameter ${tag}${value} is not a ratio n:d`);
  const num = Number(match[1]);
  const den = Number(match[2]);
  if (num === 0 && den === 0) return null;
  if (num === 0 || den === 0) throw malformed(`parameter ${tag}${value} has a zero term`);
  return { num, den };
}

function parseDimension(tag: string, value: string, max: number): number {
  if (!/^\d{1,6}$/.test(value)) throw malformed(`parameter ${tag}${value} is not a positive integer`);
  const n = Number(value);
  if (n < 1 || n > max) throw malformed(`${tag === 'W' ? 'width' : 'height'} ${n} is outside 1..${max}`);
  return n;
}

export function parseY4mHeader(line: string, options: Y4mParserOptions = {}): Y4mHeader {
  const tokens = line.split(' ');
  if (tokens[0] !== MAGIC) throw malformed(`stream does not start with ${MAGIC}`);
  let width: number | null = null;
  let height: number | null = null;
  let frameRate: Y4mHeader['frameRate'] = null;
  let interlace: string | null = null;
  let aspect: Y4mHeader['aspect'] = null;
  let colorSpace = '420jpeg';
  const extensions: string[] = [];
  for (const token of tokens.slice(1)) {
    if (token === '') throw malformed('empty parameter (two spaces in a row or a trailing space)');
    const tag = token.charAt(0);
    const value = token.slice(1);
    switch (tag) {
      case 'W':
        width = parseDimension('W', value, options.maxWidth ?? 8192);
        break;
      case 'H':
        height = parseDimension('H', value, options.maxHeight ?? 8192);
        break;
      case 'F':
        frameRate = parseRatio('F', value);
        break;
      case 'A':
        aspect = parseRatio('A', value);
        break;
      case 'I':
        if (!/^[ptbm?]$/.test(value)) throw malformed(`interlace parameter I${value} is not one of p t b m ?`);
        interlace = value;
        break;
      case 'C':
        colorSpace = value;
        break;
      default:
        // X is the extension tag; the format asks readers to skip tags they do not know.
        extensions.push(tag === 'X' ? value : token);
    }
  }
  if (width === null || height === null) throw malformed('header lacks the W (width) or H (height) parameter');
  const frameBytes = frameBytesFor(colorSpace, width, height);
  if (frameBytes === null) {
    throw malformed(`colour space C${colorSpace} is not supported (8-bit mono, 420*, 411, 422, 444, 444alpha)`, {
      colorSpace,
    });
  }
  return { width, height, frameRate, interlace, aspect, colorSpace, extensions, frameBytes };
}

function startsWithPrefix(bytes: Uint8Array, length: number, prefix: string): boolean {
  const n = Math.min(length, prefix.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/**
 * Incremental YUV4MPEG2 parser. Chunks may split the stream anywhere; memory is one header line plus the frame being
 * filled. Only the luma (Y) plane is kept, chroma is skipped as it streams past. Malformed input throws
 * MYO_ERR_CAPTURE_STREAM, and the parser stays failed (a byte stream cannot be resynchronised reliably).
 */
export class Y4mParser implements FrameStreamParser {
  readonly #options: Y4mParserOptions;
  readonly #line = new Uint8Array(MAX_LINE);
  #lineLength = 0;
  #state: 'header' | 'frame-line' | 'payload' = 'header';
  #header: Y4mHeader | null = null;
  #frame: Uint8Array | null = null;
  #lumaFilled = 0;
  #chromaLeft = 0;
  #failure: MyoError | null = null;
  #frames = 0;

  constructor(options: Y4mParserOptions = {}) {
    this.#options = options;
  }

  /** The stream header once its line has arrived. */
  get header(): Y4mHeader | null {
    return this.#header;
  }

  /** Frames completed so far. */
  get frameCount(): number {
    return this.#frames;
  }

  get pendingBytes(): number {
    if (this.#state === 'payload' && this.#header) {
      return this.#lumaFilled + (this.#header.frameBytes - this.#header.width * this.#header.height - this.#chromaLeft);
    }
    return this.#lineLength;
  }

  push(chunk: Uint8Array): GrayImage[] {
    if (this.#failure) throw this.#failure;
    try {
      return this.#consume(chunk);
    } catch (error) {
      this.#failure =
        error instanceof MyoError ? error : new MyoError('MYO_ERR_CAPTURE_STREAM', String(error), {}, { cause: error });
      throw this.#failure;
    }
  }

  #consume(chunk: Uint8Array): GrayImage[] {
    const out: GrayImage[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === 'payload') {
        i = this.#fillPayload(chunk, i, out);
        continue;
      }
      const newline = chunk.indexOf(NEWLINE, i);
      const end = newline === -1 ? chunk.length : newline;
      this.#appendLine(chunk.subarray(i, end));
      if (newline === -1) break;
      i = newline + 1;
      this.#endLine();
    }
    return out;
  }

  #appendLine(bytes: Uint8Array): void {
    if (this.#lineLength + bytes.length > MAX_LINE) {
      throw malformed(
        `${this.#state === 'header' ? 'header' : 'frame'} line longer than ${MAX_LINE} bytes: "${describeBytes(this.#line)}"`,
      );
    }
    this.#line.set(bytes, this.#lineLength);
    this.#lineLength += bytes.length;
    // Refuse a stream that is not Y4M as soon as its first bytes disagree, not after a whole line of garbage.
    const expected = this.#state === 'header' ? MAGIC : FRAME;
    if (!startsWithPrefix(this.#line, this.#lineLength, expected)) {
      const got = describeBytes(this.#line.subarray(0, this.#lineLength));
      throw malformed(
        this.#state === 'header'
          ? `stream does not start with ${MAGIC} (got "${got}")`
          : `expected a FRAME line after frame ${this.#frames} (got "${got}")`,
        { frame: this.#frames },
      );
    }
  }

  #endLine(): void {
    const text = Buffer.from(this.#line.buffer, 0, this.#lineLength).toString('latin1');
    this.#lineLength = 0;
    if (this.#state === 'header') {
      this.#header = parseY4mHeader(text, this.#options);
      this.#state = 'frame-line';
      return;
    }
    if (text !== FRAME && !text.startsWith(`${FRAME} `)) {
      throw malformed(`expected a FRAME line after frame ${this.#frames} (got "${text.slice(0, 40)}")`, {
        frame: this.#frames,
      });
    }
    const header = this.#header;
    if (!header) throw malformed('FRAME before the stream header');
    this.#state = 'payload';
    this.#frame = new Uint8Array(header.width * header.height);
    this.#lumaFilled = 0;
    this.#chromaLeft = header.frameBytes - header.width * header.height;
  }

  #fillPayload(chunk: Uint8Array, start: number, out: GrayImage[]): number {
    const header = this.#header;
    const frame = this.#frame;
    if (!header || !frame) throw malformed('payload without a header');
    let i = start;
    if (this.#lumaFilled < frame.length) {
      const n = Math.min(frame.length - this.#lumaFilled, chunk.length - i);
      frame.set(chunk.subarray(i, i + n), this.#lumaFilled);
      this.#lumaFilled += n;
      i += n;
    }
    if (this.#lumaFilled === frame.length && this.#chromaLeft > 0) {
      const n = Math.min(this.#chromaLeft, chunk.length - i);
      this.#chromaLeft -= n;
      i += n;
    }
    if (this.#lumaFilled === frame.length && this.#chromaLeft === 0) {
      out.push({ width: header.width, height: header.height, data: frame });
      this.#frame = null;
      this.#frames += 1;
      this.#state = 'frame-line';
    }
    return i;
  }
}
