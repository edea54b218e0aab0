/**
 * Display -> host messages ("return data") of the Nextion protocol: their codes, their decoded shapes and their
 * encoding (the emulator answers with `encodeReturn`, the decoder reads what it wrote). Every message ends with
 * FF FF FF, but payloads may contain FF too, so lengths are fixed per leading code except for 0x70 strings.
 */

/** Failure replies (4 bytes: code FF FF FF), by code. */
export const NEXTION_ERRORS = {
  0x00: 'invalid_instruction',
  0x02: 'invalid_component',
  0x03: 'invalid_page',
  0x04: 'invalid_picture',
  0x05: 'invalid_font',
  0x11: 'invalid_baud',
  0x12: 'invalid_waveform',
  0x1a: 'invalid_variable',
  0x1b: 'invalid_operation',
  0x1c: 'assignment_failed',
  0x1e: 'invalid_parameter_count',
  0x20: 'invalid_escape',
  0x23: 'name_too_long',
  0x24: 'buffer_overflow',
} as const;

export type NextionErrorCode = keyof typeof NEXTION_ERRORS;
export type NextionErrorName = (typeof NEXTION_ERRORS)[NextionErrorCode];

export const RETURN_CODE = {
  ok: 0x01,
  touch: 0x65,
  page: 0x66,
  touchCoordinates: 0x67,
  sleepTouchCoordinates: 0x68,
  string: 0x70,
  number: 0x71,
  sleep: 0x86,
  wake: 0x87,
  ready: 0x88,
} as const;

export type TouchEvent = 'press' | 'release';

export type NextionReturn =
  /** `00 00 00 FF FF FF`: the display powered on or reset (bkcmd is back at 2, page 0 is shown). */
  | { readonly type: 'startup' }
  /** `88 FF FF FF`: start-up finished, instructions are accepted. */
  | { readonly type: 'ready' }
  | { readonly type: 'sleep' }
  | { readonly type: 'wake' }
  /** `01 FF FF FF`: the instruction succeeded (sent under bkcmd 1 and 3). */
  | { readonly type: 'ok' }
  /** A failure reply (sent under bkcmd 2 and 3; 0x24 buffer overflow always). */
  | { readonly type: 'error'; readonly code: NextionErrorCode; readonly error: NextionErrorName }
  | { readonly type: 'touch'; readonly page: number; readonly component: number; readonly event: TouchEvent }
  | { readonly type: 'page'; readonly page: number }
  | { readonly type: 'coordinates'; readonly x: number; readonly y: number; readonly event: TouchEvent; readonly asleep: boolean }
  | { readonly type: 'string'; readonly text: string }
  | { readonly type: 'number'; readonly value: number };

export function isErrorCode(code: number): code is NextionErrorCode {
  return Object.hasOwn(NEXTION_ERRORS, code);
}

export function errorReturn(code: NextionErrorCode): NextionReturn {
  return { type: 'error', code, error: NEXTION_ERRORS[code] };
}

const FF3 = [0xff, 0xff, 0xff] as const;

/** The bytes the display sends for `message`. */
export function encodeReturn(message: NextionReturn): Buffer {
  switch (message.type) {
    case 'startup':
      return Buffer.from([0x00, 0x00, 0x00, ...FF3]);
    case 'ready':
      return Buffer.from([RETURN_CODE.ready, ...FF3]);
    case 'sleep':
      return Buffer.from([RETURN_CODE.sleep, ...FF3]);
    case 'wake':
      return Buffer.from([RETURN_CODE.wake, ...FF3]);
    case 'ok':
      return Buffer.from([RETURN_CODE.ok, ...FF3]);
    case 'error':
      return Buffer.from([message.code, ...FF3]);
    case 'touch':
      return Buffer.from([RETURN_CODE.touch, message.page & 0xff, message.component & 0xff, message.event === 'press' ? 1 : 0, ...FF3]);
    case 'page':
      return Buffer.from([RETURN_CODE.page, message.page & 0xff, ...FF3]);
    case 'coordinates':
      return Buffer.from([
        message.asleep ? RETURN_CODE.sleepTouchCoordinates : RETURN_CODE.touchCoordinates,
        (message.x >> 8) & 0xff,
        message.x & 0xff,
        (message.y >> 8) & 0xff,
        message.y & 0xff,
        message.event === 'press' ? 1 : 0,
        ...FF3,
      ]);
    case 'string':
      return Buffer.concat([Buffer.from([RETURN_CODE.string]), Buffer.from(message.text, 'latin1'), Buffer.from(FF3)]);
    case 'number': {
      const out = Buffer.alloc(8, 0xff);
      out[0] = RETURN_CODE.number;
      out.writeInt32LE(message.value | 0, 1);
      return out;
    }
  }
}
