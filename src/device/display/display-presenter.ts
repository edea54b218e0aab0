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

  /** Maps the current state and shows it if it differs from the last one shown; returns it. */
  refresh(): DisplayState | null {
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
