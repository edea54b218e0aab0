/**
 * The last few lines a subprocess wrote to stderr, for error reports. Bounded in lines and in line length, so a
 * chatty or binary stderr cannot grow memory.
 */
export class StderrTail {
  readonly #maxLines: number;
  readonly #maxLineLength: number;
  readonly #lines: string[] = [];
  #partial = '';

  constructor(maxLines = 20, maxLineLength = 400) {
    this.#maxLines = Math.max(1, maxLines);
    this.#maxLineLength = Math.max(16, maxLineLength);
  }

  push(text: string): void {
    const parts = (this.#partial + text).split(/\r?\n|\r/);
    this.#partial = (parts.pop() ?? '').slice(-this.#maxLineLength);
    for (const line of parts) this.#add(line);
  }

  /** Complete lines plus any unterminated last line, oldest first. */
  lines(): string[] {
    return this.#partial.trim() === '' ? [...this.#lines] : [...this.#lines, this.#partial.trim()];
  }

  /** The last non-empty line, or ''. */
  last(): string {
    const all = this.lines();
    return all[all.length - 1] ?? '';
  }

  #add(line: string): void {
    const trimmed = line.trim();
    if (trimmed === '') return;
    this.#lines.push(trimmed.length > this.#maxLineLength ? `${trimmed.slice(0, this.#maxLineLength)}...` : trimmed);
    if (this.#lines.length > this.#maxLines) this.#lines.shift();
  }
}
