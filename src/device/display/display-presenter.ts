import { MyoError } from '../../core/errors.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import { displayStateFor, type DisplayInput, type DisplayState } from './display-state.js';
import type { StatusDisplay } from './status-display.js';

export interface DisplayPresenterDeps {
  readonly display: StatusDisplay;
  /** Gathers the daemon's state (exam view, faults, model, update, health); the composition root supplies it. */
  readonly read: () => DisplayInput;
  /** How often the state is sampled (default 250 ms: the scanning page's counters move at about this pace). */
  readonly intervalMs?: number;
  /** Called when `read` throws; the presenter keeps the last state on the display and carries on. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Samples the daemon's state on a timer and shows it when the page it maps to changes. Sampling (rather than
 * reacting to every frame) bounds the work per second whatever the frame rate; `refresh()` shows a change at once
 * for events a person waits on (an exam ending, a touch).
 */
export class DisplayPresenter implements Lifecycle {
  readonly name = 'display-presenter';
  readonly #deps: DisplayPresenterDeps;
  #timer: NodeJS.Timeout | null = null;
  #lastKey: string | null = null;
  #testing = false;

  constructor(deps: DisplayPresenterDeps) {
    this.#deps = deps;
  }

  start(_signal: AbortSignal): Promise<void> {
    if (this.#timer === null) {
      this.refresh();
      this.#timer = setInterval(() => this.refresh(), this.#deps.intervalMs ?? 250);
      this.#timer.unref();
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    return Promise.resolve();
  }

  /**
   * Shows `pages` in turn over `durationMs` (a technician's or the fleet's display test), then the live state again.
   * `yieldTo()` is polled every 100 ms: when it says true (an exam started), the test stops at once, because the
   * pattern must never cover an exam. One test at a time: MYO_ERR_COMMAND_BUSY while one runs.
   */
  async playTestPages(pages: readonly DisplayState[], durationMs: number, yieldTo: () => boolean): Promise<{ shown: number; interrupted: boolean }> {
    if (this.#testing) throw new MyoError('MYO_ERR_COMMAND_BUSY', 'a display test is already running');
    if (yieldTo()) throw new MyoError('MYO_ERR_COMMAND_BUSY', 'an exam is on the display; the test would cover it');
    this.#testing = true;
    let shown = 0;
    let interrupted = false;
    const dwellMs = Math.max(100, Math.floor(durationMs / Math.max(1, pages.length)));
    try {
      for (const page of pages) {
        this.#deps.display.show(page);
        shown += 1;
        for (let waited = 0; waited < dwellMs && !interrupted; waited += 100) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(100, dwellMs - waited)));
          interrupted = yieldTo();
        }
        if (interrupted) break;
      }
    } finally {
      this.#testing = false;
      this.#lastKey = null;
      this.refresh();
    }
    return { shown, interrupted };
  }

  /** Maps the current state and shows it if it differs from the last one shown; returns it. */
  refresh(): DisplayState | null {
    if (this.#testing) return null;
    let state: DisplayState;
    try {
      state = displayStateFor(this.#deps.read());
    } catch (error) {
      this.#deps.onError?.(error);
      return null;
    }
    const key = JSON.stringify(state);
    if (key !== this.#lastKey) {
      this.#lastKey = key;
      this.#deps.display.show(state);
    }
    return state;
  }
}
