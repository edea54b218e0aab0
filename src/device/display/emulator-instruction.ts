/**
 * Parses one host instruction (the text between terminators) the way the emulator understands it. Only the subset
 * the driver and its tests use is recognised; anything else is `unknown` and the emulator answers 0x00 as a
 * Nextion does for an instruction it cannot parse.
 */
export type ParsedInstruction =
  | { readonly kind: 'page'; readonly page: string }
  | { readonly kind: 'assign'; readonly object: string | null; readonly attribute: string; readonly value: string | number }
  | { readonly kind: 'vis'; readonly component: string; readonly on: boolean }
  | { readonly kind: 'sendme' }
  | { readonly kind: 'get'; readonly object: string | null; readonly attribute: string }
  | { readonly kind: 'unknown' };

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const PAGE = new RegExp(`^page (${NAME}|\\d+)$`);
const VIS = new RegExp(`^vis (${NAME}),([01])$`);
const TARGET = new RegExp(`^(?:(${NAME})\\.)?(${NAME})$`);
const INTEGER = /^-?\d+$/;

export function parseInstruction(text: string): ParsedInstruction {
  if (text === 'sendme') return { kind: 'sendme' };
  const pageMatch = PAGE.exec(text);
  if (pageMatch?.[1] !== undefined) return { kind: 'page', page: pageMatch[1] };
  const visMatch = VIS.exec(text);
  if (visMatch?.[1] !== undefined) return { kind: 'vis', component: visMatch[1], on: visMatch[2] === '1' };
  if (text.startsWith('get ')) {
    const target = TARGET.exec(text.slice(4));
    if (target?.[2] === undefined) return { kind: 'unknown' };
    return { kind: 'get', object: target[1] ?? null, attribute: target[2] };
  }
  const eq = text.indexOf('=');
  if (eq <= 0) return { kind: 'unknown' };
  const target = TARGET.exec(text.slice(0, eq));
  const value = parseValue(text.slice(eq + 1));
  if (target?.[2] === undefined || value === null) return { kind: 'unknown' };
  return { kind: 'assign', object: target[1] ?? null, attribute: target[2], value };
}

/** A quoted string (with `\"`, `\\` and `\r` escapes) or an integer; null for anything else. */
function parseValue(raw: string): string | number | null {
  if (INTEGER.test(raw)) return Number(raw);
  if (raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) return null;
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i] ?? '';
    if (c === '"') return null; // an unescaped quote inside: not one string
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[i + 1];
    if (i + 1 >= raw.length - 1 || next === undefined) return null;
    out += next === 'r' ? '\n' : next;
    i += 1;
  }
  return out;
}
