/** Checks on text that came off the network and may end up in a topic, a log line or an error message. */

/** C0 controls and DEL: never legitimate in a topic level, and they corrupt terminals and logs. */
export function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Hostile text about to go into an error message: short, with control characters replaced. */
export function printable(text: string, limit = 120): string {
  let clean = '';
  for (const char of text.slice(0, limit)) clean += hasControlCharacter(char) ? '?' : char;
  return text.length > limit ? `${clean.slice(0, limit - 3)}...` : clean;
}
