/**
 * Follows whether live ultrasound (probe in contact) is on screen, as runs of time: since when it has been live
 * without a break, and since when it has not. The exam machine uses it for auto start (live long enough), for
 * re-arming auto start after an operator end (not live long enough) and for the idle timeout. Pure: time comes in.
 */
export class LiveTracker {
  /** Live frames arriving further apart than this do not make one continuous run (frames stopped in between). */
  readonly #maxGapMs: number;
  #liveSince: number | null = null;
  #notLiveSince: number | null = null;
  #lastLiveAt: number | null = null;

  constructor(options: { maxGapMs: number }) {
    this.#maxGapMs = options.maxGapMs;
  }

  /** One frame's verdict: live or not. */
  frame(live: boolean, at: number): void {
    this.#expire(at);
    if (live) {
      this.#liveSince ??= at;
      this.#notLiveSince = null;
      this.#lastLiveAt = at;
    } else {
      this.#stop(at);
    }
  }

  /** The capture says the signal is not live (no_signal, frozen, blank, disconnected): no live run goes on. */
  signalNotLive(at: number): void {
    this.#expire(at);
    this.#stop(at);
  }

  /** Time passes without a frame (a tick): a live run whose frames stopped arriving ends. */
  tick(at: number): void {
    this.#expire(at);
  }

  /** How long live frames have been arriving without a break; 0 when not live. */
  liveForMs(at: number): number {
    return this.#liveSince === null ? 0 : Math.max(0, at - this.#liveSince);
  }

  /** How long nothing live has been seen, since the first non-live observation; 0 while live or before any. */
  notLiveForMs(at: number): number {
    return this.#notLiveSince === null ? 0 : Math.max(0, at - this.#notLiveSince);
  }

  /** Whether the last observation was a live frame (and the run has not gone stale since). */
  get isLive(): boolean {
    return this.#liveSince !== null;
  }

  #stop(at: number): void {
    this.#liveSince = null;
    this.#notLiveSince ??= at;
  }

  #expire(at: number): void {
    if (this.#liveSince !== null && this.#lastLiveAt !== null && at - this.#lastLiveAt > this.#maxGapMs) {
      // Frames stopped without a signal event: the run ended with its last live frame.
      this.#liveSince = null;
      this.#notLiveSince = this.#lastLiveAt;
    }
  }
}
