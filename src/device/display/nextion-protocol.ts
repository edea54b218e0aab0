import type { BkcmdLevel, Instruction } from './nextion-instructions.js';
import type { NextionReturn } from './nextion-returns.js';

/**
 * The Nextion protocol subset this daemon speaks, in one import: instructions (host -> display), return data
 * (display -> host), the streaming decoder, and which replies to expect at each bkcmd level.
 */
export * from './nextion-instructions.js';
export * from './nextion-returns.js';
export * from './nextion-decoder.js';
export { displayableText, quoteText } from './nextion-text.js';

/** Which outcomes of a write the display reports at `level`. */
export function repliesAt(level: BkcmdLevel): { readonly onSuccess: boolean; readonly onFailure: boolean } {
  return { onSuccess: level === 1 || level === 3, onFailure: level === 2 || level === 3 };
}

/**
 * Follows the display's bkcmd level from what is sent and received, so the driver knows which replies to wait
 * for: power-on (and every start-up message) puts it at 2; a `bkcmd=N` instruction moves it to N. We take the new
 * level to govern the bkcmd instruction's own reply; the driver does not rely on that (it syncs with `sendme`).
 */
export class BkcmdTracker {
  #level: BkcmdLevel = 2;

  get level(): BkcmdLevel {
    return this.#level;
  }

  sent(instruction: Instruction): void {
    if (instruction.op !== 'set' || instruction.target !== 'bkcmd' || typeof instruction.value !== 'number') return;
    const v = instruction.value;
    if (v === 0 || v === 1 || v === 2 || v === 3) this.#level = v;
  }

  received(message: NextionReturn): void {
    if (message.type === 'startup') this.#level = 2;
  }

  /**
   * Whether a write gets exactly one reply (0x01 or a failure code) at the current level. `sendme` and `get`
   * answer with data instead, and at levels 0-2 a reply depends on the outcome, so it cannot be waited for.
   */
  expectsReply(instruction: Instruction): boolean {
    if (instruction.op === 'sendme' || instruction.op === 'get') return false;
    return this.#level === 3;
  }
}
