import { RETURN_CODE, errorReturn, isErrorCode, type NextionReturn, type TouchEvent } from './nextion-returns.js';

/**
 * Streaming decoder for what a Nextion sends. It reads each message by the length its leading code implies, never
 * by splitting on FF FF FF: a 0x71 number's four payload bytes can themselves be FF. Bytes that cannot start a
 * message are skipped and counted as garbage; a message whose terminator is wrong is counted as malformed and the
 * decoder resyncs (after the truncated message's own FF FF FF when one lies inside the expected length, else at the
 * next byte that can start a message); a partial message left waiting longer than `partialTimeoutMs` is dropped,
 * so a lost byte cannot glue two messages together forever. Pure: time comes in with each chunk.
 */
export interface NextionDecoderOptions {
  /** Longest 0x70 string payload accepted (bytes); longer ones are dropped as malformed. */
  readonly maxStringBytes?: number;
  /** A partial message older than this is dropped when the next chunk arrives (ms). */
  readonly partialTimeoutMs?: number;
}

export interface DecoderCounters {
  readonly messages: number;
  readonly garbageBytes: number;
  readonly malformed: number;
}

type Scan =
  | { readonly kind: 'message'; readonly message: NextionReturn; readonly length: number }
  | { readonly kind: 'partial' }
  | { readonly kind: 'garbage' }
  /** Malformed: drop everything before `resumeAt`. */
  | { readonly kind: 'malformed'; readonly resumeAt: number };

const FF = 0xff;
const FIXED_FOUR: ReadonlySet<number> = new Set([RETURN_CODE.ok, RETURN_CODE.sleep, RETURN_CODE.wake, RETURN_CODE.ready]);

/** Whether `byte` can be the first byte of a message. */
export function canStartMessage(byte: number): boolean {
  return (
    byte === 0x00 ||
    FIXED_FOUR.has(byte) ||
    isErrorCode(byte) ||
    byte === RETURN_CODE.touch ||
    byte === RETURN_CODE.page ||
    byte === RETURN_CODE.touchCoordinates ||
    byte === RETURN_CODE.sleepTouchCoordinates ||
    byte === RETURN_CODE.string ||
    byte === RETURN_CODE.number
  );
}

export class NextionDecoder {
  readonly #maxStringBytes: number;
  readonly #partialTimeoutMs: number;
  #pending: Buffer = Buffer.alloc(0);
  #pendingSince = 0;
  #messages = 0;
  #garbageBytes = 0;
  #malformed = 0;

  constructor(options: NextionDecoderOptions = {}) {
    this.#maxStringBytes = options.maxStringBytes ?? 256;
    this.#partialTimeoutMs = options.partialTimeoutMs ?? 500;
  }

  get counters(): DecoderCounters {
    return { messages: this.#messages, garbageBytes: this.#garbageBytes, malformed: this.#malformed };
  }

  /** Bytes held back as the start of a message not complete yet. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  /** Decodes `chunk` (arrived at monotonic time `now`) together with any partial message left from before. */
  push(chunk: Uint8Array, now: number): NextionReturn[] {
    if (this.#pending.length > 0 && now - this.#pendingSince > this.#partialTimeoutMs) {
      this.#malformed += 1;
      this.#pending = Buffer.alloc(0);
    }
    const hadPending = this.#pending.length > 0;
    const buf = hadPending ? Buffer.concat([this.#pending, chunk]) : Buffer.from(chunk);
    const out: NextionReturn[] = [];
    let i = 0;
    scanning: while (i < buf.length) {
      const scan = this.#scan(buf, i);
      switch (scan.kind) {
        case 'message':
          out.push(scan.message);
          this.#messages += 1;
          i += scan.length;
          break;
        case 'garbage':
          this.#garbageBytes += 1;
          i += 1;
          break;
        case 'malformed':
          this.#malformed += 1;
          i = scan.resumeAt;
          break;
        case 'partial':
          break scanning;
      }
    }
    // A partial that still starts where the old one did keeps its age; a new one starts its clock now.
    if (!(hadPending && i === 0)) this.#pendingSince = now;
    this.#pending = Buffer.from(buf.subarray(i));
    return out;
  }

  /** Forgets a partial message (the link was reopened); counters stay. */
  reset(): void {
    this.#pending = Buffer.alloc(0);
  }

  #scan(b: Buffer, i: number): Scan {
    const lead = b[i] ?? 0;
    if (lead === 0x00) return this.#scanZero(b, i);
    if (FIXED_FOUR.has(lead) || isErrorCode(lead)) return fixed(b, i, 4, [], () => fourByte(lead));
    switch (lead) {
      case RETURN_CODE.touch:
        return fixed(b, i, 7, [[3, isEventByte]], () => ({
          type: 'touch',
          page: at(b, i + 1),
          component: at(b, i + 2),
          event: touchEvent(at(b, i + 3)),
        }));
      case RETURN_CODE.page:
        return fixed(b, i, 5, [], () => ({ type: 'page', page: at(b, i + 1) }));
      case RETURN_CODE.touchCoordinates:
      case RETURN_CODE.sleepTouchCoordinates:
        return fixed(b, i, 9, [[5, isEventByte]], () => ({
          type: 'coordinates',
          x: (at(b, i + 1) << 8) | at(b, i + 2),
          y: (at(b, i + 3) << 8) | at(b, i + 4),
          event: touchEvent(at(b, i + 5)),
          asleep: lead === RETURN_CODE.sleepTouchCoordinates,
        }));
      case RETURN_CODE.number:
        return fixed(b, i, 8, [], () => ({ type: 'number', value: b.readInt32LE(i + 1) }));
      case RETURN_CODE.string:
        return this.#scanString(b, i);
      default:
        return { kind: 'garbage' };
    }
  }

  /** 0x00 leads both `00 FF FF FF` (invalid instruction) and `00 00 00 FF FF FF` (start-up). */
  #scanZero(b: Buffer, i: number): Scan {
    if (i + 1 >= b.length) return { kind: 'partial' };
    if (b[i + 1] === FF) return fixed(b, i, 4, [], () => errorReturn(0x00));
    if (b[i + 1] === 0x00) return fixed(b, i, 6, [[2, (v) => v === 0x00]], () => ({ type: 'startup' }));
    return malformed(b, i, 6);
  }

  #scanString(b: Buffer, i: number): Scan {
    const end = b.indexOf(Buffer.from([FF, FF, FF]), i + 1);
    const payload = end === -1 ? b.length - i - 1 : end - i - 1;
    if (payload > this.#maxStringBytes) return { kind: 'malformed', resumeAt: i + 1 + this.#maxStringBytes };
    if (end === -1) return { kind: 'partial' };
    return { kind: 'message', message: { type: 'string', text: b.toString('latin1', i + 1, end) }, length: end + 3 - i };
  }
}

type ByteCheck = readonly [offset: number, ok: (byte: number) => boolean];

/** A message of `length` bytes whose last three are FF and whose other `checks` hold, or why not. */
function fixed(b: Buffer, i: number, length: number, checks: readonly ByteCheck[], build: () => NextionReturn): Scan {
  for (let k = length - 3; k < length; k++) {
    if (i + k < b.length && b[i + k] !== FF) return malformed(b, i, length);
  }
  for (const [offset, ok] of checks) {
    if (i + offset < b.length && !ok(at(b, i + offset))) return malformed(b, i, length);
  }
  if (i + length > b.length) return { kind: 'partial' };
  return { kind: 'message', message: build(), length };
}

/**
 * Where to pick up after a corrupt message starting at `i`. A message that lost bytes on the line still ends with
 * its own FF FF FF: when one lies within the expected length, the next message starts right after it. Otherwise
 * the leading byte was noise and the next byte that can start a message is tried.
 */
function malformed(b: Buffer, i: number, length: number): Scan {
  for (let j = i + 1; j + 3 <= Math.min(b.length, i + length); j++) {
    if (b[j] === FF && b[j + 1] === FF && b[j + 2] === FF) return { kind: 'malformed', resumeAt: j + 3 };
  }
  let next = i + 1;
  while (next < b.length && !canStartMessage(at(b, next))) next++;
  return { kind: 'malformed', resumeAt: next };
}

function fourByte(lead: number): NextionReturn {
  if (lead === RETURN_CODE.ok) return { type: 'ok' };
  if (lead === RETURN_CODE.sleep) return { type: 'sleep' };
  if (lead === RETURN_CODE.wake) return { type: 'wake' };
  if (lead === RETURN_CODE.ready) return { type: 'ready' };
  if (isErrorCode(lead)) return errorReturn(lead);
  // Unreachable: callers only pass codes from FIXED_FOUR or the error table.
  return errorReturn(0x00);
}

function isEventByte(v: number): boolean {
  return v === 0 || v === 1;
}

function touchEvent(v: number): TouchEvent {
  return v === 1 ? 'press' : 'release';
}

function at(b: Buffer, index: number): number {
  return b[index] ?? 0;
}
