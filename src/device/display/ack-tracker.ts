/**
 * Writes waiting for their reply, oldest first. At bkcmd 3 the display answers every write exactly once and in
 * order (0x01 or a failure code), so each reply settles the oldest pending write; a write whose deadline passes
 * was lost (line noise, a display busy rebooting) and is dropped from the queue so later replies still match.
 */
export class AckTracker {
  readonly #pending: { readonly what: string; readonly deadline: number }[] = [];

  get size(): number {
    return this.#pending.length;
  }

  expect(what: string, deadline: number): void {
    this.#pending.push({ what, deadline });
  }

  /** A reply arrived: returns what it answers, or null when nothing was waiting (a stray reply). */
  settle(): string | null {
    return this.#pending.shift()?.what ?? null;
  }

  /** Drops the writes whose deadline has passed and returns how many. */
  expire(now: number): number {
    const before = this.#pending.length;
    const kept = this.#pending.filter((p) => p.deadline > now);
    this.#pending.splice(0, this.#pending.length, ...kept);
    return before - kept.length;
  }

  clear(): void {
    this.#pending.length = 0;
  }
}
