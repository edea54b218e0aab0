/**
 * Text as a Nextion can show it. The display's fonts are 8-bit (ISO-8859-1 in our HMI), instructions are ended by
 * FF FF FF, and a string sits between double quotes, so text from the daemon (reasons, versions, error details) is
 * made safe here before it reaches the wire: typographic characters are folded to ASCII, anything else outside
 * printable ASCII / Latin-1 becomes '?', and 'ÿ' (0xFF) is never sent because its byte would end the instruction.
 */

/** Common typographic characters that messages and versions carry, folded to what every font has. */
const FOLDED: Readonly<Record<string, string>> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u2022': '*',
  '\u2192': '->',
  '\u00a0': ' ',
  '\u00ff': 'y',
};

/** Printable ASCII and printable Latin-1 (one byte each in ISO-8859-1). */
function isShowable(code: number): boolean {
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa1 && code <= 0xfe);
}

/**
 * `text` reduced to characters the display can show, at most `maxLength` of them. Line breaks and tabs become
 * spaces (our text components are single-line); a cut is marked with a trailing '~' so a truncated detail is
 * visibly truncated rather than silently wrong.
 */
export function displayableText(text: string, maxLength: number): string {
  const out: string[] = [];
  for (const char of text) {
    const folded = FOLDED[char];
    if (folded !== undefined) {
      for (const c of folded) out.push(c);
      continue;
    }
    const code = char.codePointAt(0) ?? 0x3f;
    if (code === 0x0a || code === 0x0d || code === 0x09) out.push(' ');
    else out.push(isShowable(code) ? char : '?');
  }
  const limit = Math.max(0, Math.floor(maxLength));
  if (out.length <= limit) return out.join('');
  if (limit === 0) return '';
  return `${out.slice(0, limit - 1).join('')}~`;
}

/** The quoted string literal of an instruction: `"` and `\` escaped with a backslash. */
export function quoteText(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
