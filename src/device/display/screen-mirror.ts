import { instructionKey, instructionText, type Instruction } from './nextion-instructions.js';

/**
 * What the driver believes the display shows: the page and the last value written to each attribute of it. A page
 * change resets a Nextion's local components to their design-time values, so the mirror forgets them too; anything
 * that makes the display's content uncertain (an error reply, a lost ack, a reconnect, a restart) calls
 * `invalidate()`, and the next diff is the whole page.
 */
export class ScreenMirror {
  #page: string | null = null;
  readonly #values = new Map<string, string>();

  /** The page the display is believed to show; null when unknown. */
  get page(): string | null {
    return this.#page;
  }

  invalidate(): void {
    this.#page = null;
    this.#values.clear();
  }

  /** The instructions that turn what the display shows into `target` (a page change first, then its components). */
  diff(target: readonly Instruction[]): Instruction[] {
    const first = target[0];
    const pageChanges = first?.op === 'page' && first.page !== this.#page;
    if (pageChanges || this.#page === null) return [...target];
    return target.filter((i) => i.op !== 'page' && this.#values.get(instructionKey(i)) !== instructionText(i));
  }

  /** Records instructions as sent (the display applies them in order). */
  apply(sent: readonly Instruction[]): void {
    for (const instruction of sent) {
      if (instruction.op === 'page') {
        this.#page = instruction.page;
        this.#values.clear();
      } else if (instruction.op === 'set' || instruction.op === 'vis') {
        this.#values.set(instructionKey(instruction), instructionText(instruction));
      }
    }
  }
}
