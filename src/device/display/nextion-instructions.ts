import { MyoError } from '../../core/errors.js';
import { displayableText, quoteText } from './nextion-text.js';

/**
 * Host -> display instructions of the Nextion protocol, as data. The page model produces these, the driver diffs
 * them by `instructionKey` against what the display shows, and only `encodeInstructions` turns them into bytes, so
 * escaping and termination live in one place.
 */
export type Instruction =
  | { readonly op: 'page'; readonly page: string }
  /** `target=value`: a component attribute (`t0.txt`, `n0.val`, `b0.bco`) or a system variable (`bkcmd`, `dim`). */
  | { readonly op: 'set'; readonly target: string; readonly value: string | number }
  | { readonly op: 'vis'; readonly component: string; readonly on: boolean }
  | { readonly op: 'sendme' }
  | { readonly op: 'get'; readonly target: string };

/** Every instruction ends with these three bytes. */
export const TERMINATOR: readonly number[] = [0xff, 0xff, 0xff];

/** bkcmd levels: which instructions the display answers (power-on default 2). */
export type BkcmdLevel = 0 | 1 | 2 | 3;

/** A text attribute's length when the page model gives none (the HMI's txt_maxl must be at least this). */
export const DEFAULT_TEXT_MAX = 40;

// Nextion object names: a letter or underscore, then letters, digits, underscores; the editor caps them at 14.
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,13}$/;
const ATTRIBUTE = /^[a-z_][a-z0-9_]{0,13}$/;

function checkName(name: string, what: string): string {
  if (!NAME.test(name)) throw new MyoError('MYO_ERR_DISPLAY_PROTOCOL', `invalid Nextion ${what} name ${JSON.stringify(name)}`, { name });
  return name;
}

function checkTarget(obj: string, attribute: string): string {
  checkName(obj, 'component');
  if (!ATTRIBUTE.test(attribute)) {
    throw new MyoError('MYO_ERR_DISPLAY_PROTOCOL', `invalid Nextion attribute ${JSON.stringify(attribute)}`, { attribute });
  }
  return `${obj}.${attribute}`;
}

/** Numbers on the wire are signed 32-bit integers. */
function int32(n: number): number {
  if (!Number.isFinite(n)) return 0;
  return Math.min(2_147_483_647, Math.max(-2_147_483_648, Math.round(n)));
}

function clampInt(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, int32(n)));
}

/** `obj.txt="text"`, the text made displayable and capped at `maxLength` characters. */
export function setText(obj: string, text: string, maxLength: number = DEFAULT_TEXT_MAX): Instruction {
  return { op: 'set', target: checkTarget(obj, 'txt'), value: displayableText(text, maxLength) };
}

/** `obj.val=n` (rounded, clamped to int32). */
export function setValue(obj: string, n: number): Instruction {
  return { op: 'set', target: checkTarget(obj, 'val'), value: int32(n) };
}

/** `page name`: the display shows that page, its local components back at their design-time values. */
export function page(name: string): Instruction {
  return { op: 'page', page: checkName(name, 'page') };
}

export function bkcmd(level: BkcmdLevel): Instruction {
  return { op: 'set', target: 'bkcmd', value: level };
}

/** `sleep=1` blanks the screen (touch still works with thup=1), `sleep=0` wakes it. */
export function sleep(on: boolean): Instruction {
  return { op: 'set', target: 'sleep', value: on ? 1 : 0 };
}

/** Backlight in percent, 0..100, until the next power cycle. */
export function dim(percent: number): Instruction {
  return { op: 'set', target: 'dim', value: clampInt(percent, 0, 100) };
}

/** A colour attribute (`pco` text, `bco` background, ...) in RGB565, 0..65535. */
export function setColour(obj: string, prop: string, rgb565: number): Instruction {
  return { op: 'set', target: checkTarget(obj, prop), value: clampInt(rgb565, 0, 0xffff) };
}

/** `vis obj,1` shows a component, `vis obj,0` hides it. */
export function visible(obj: string, on: boolean): Instruction {
  return { op: 'vis', component: checkName(obj, 'component'), on };
}

/** Asks the display for its current page id (answered with 0x66). */
export function sendme(): Instruction {
  return { op: 'sendme' };
}

/** Asks for an attribute or system variable (answered with 0x70 text or 0x71 number). */
export function get(target: string): Instruction {
  const [obj, attribute, ...rest] = target.split('.');
  if (obj === undefined || rest.length > 0) throw new MyoError('MYO_ERR_DISPLAY_PROTOCOL', `invalid get target ${JSON.stringify(target)}`);
  return { op: 'get', target: attribute === undefined ? checkName(obj, 'variable') : checkTarget(obj, attribute) };
}

/** RGB (0..255 each) to the display's 16-bit colour. */
export function rgb565(r: number, g: number, b: number): number {
  const c = (v: number, bits: number): number => Math.round((Math.min(255, Math.max(0, v)) / 255) * (2 ** bits - 1));
  return (c(r, 5) << 11) | (c(g, 6) << 5) | c(b, 5);
}

/** What the instruction writes: two instructions with the same key overwrite each other on the display. */
export function instructionKey(instruction: Instruction): string {
  switch (instruction.op) {
    case 'page':
      return 'page';
    case 'set':
      return instruction.target;
    case 'vis':
      return `${instruction.component}.vis`;
    case 'sendme':
      return 'sendme';
    case 'get':
      return `get ${instruction.target}`;
  }
}

/** The ASCII text of one instruction, without its terminator. */
export function instructionText(instruction: Instruction): string {
  switch (instruction.op) {
    case 'page':
      return `page ${instruction.page}`;
    case 'set':
      // Text is made displayable again here (idempotent) so a hand-built instruction cannot smuggle in a 0xFF.
      return typeof instruction.value === 'string'
        ? `${instruction.target}=${quoteText(displayableText(instruction.value, Number.MAX_SAFE_INTEGER))}`
        : `${instruction.target}=${int32(instruction.value)}`;
    case 'vis':
      return `vis ${instruction.component},${instruction.on ? 1 : 0}`;
    case 'sendme':
      return 'sendme';
    case 'get':
      return `get ${instruction.target}`;
  }
}

/**
 * The bytes of the instructions, each followed by FF FF FF. Text is ISO-8859-1: `displayableText` has already
 * left only characters that fit one byte below 0xFF, so no byte of the payload can be mistaken for a terminator.
 */
export function encodeInstructions(instructions: readonly Instruction[]): Buffer {
  const parts: Buffer[] = [];
  const terminator = Buffer.from(TERMINATOR);
  for (const instruction of instructions) {
    parts.push(Buffer.from(instructionText(instruction), 'latin1'), terminator);
  }
  return Buffer.concat(parts);
}
