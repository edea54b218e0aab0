import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import type { EventBus } from '../../core/event-bus.js';
import type { DisplayState } from './display-state.js';
import type { OperatorAction } from './hmi-layout.js';
import { emptyDisplayStats, type DisplayStats, type StatusDisplay } from './status-display.js';

/**
 * The in-memory StatusDisplay: records every state it is shown, draws nothing. For tests of the parts that drive
 * the display, and for a daemon built without one. `press()` stands in for a finger on the screen.
 */
export class MemoryDisplay implements StatusDisplay {
  readonly name = 'display';
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #states: DisplayState[] = [];
  readonly #limit: number;
  #shown = 0;
  #running = false;

  constructor(deps: { bus: EventBus; clock?: Clock; keepStates?: number }) {
    this.#bus = deps.bus;
    this.#clock = deps.clock ?? systemClock;
    this.#limit = deps.keepStates ?? 1000;
  }

  start(_signal: AbortSignal): Promise<void> {
    this.#running = true;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.#running = false;
    return Promise.resolve();
  }

  show(state: DisplayState): void {
    this.#shown += 1;
    this.#states.push(state);
    if (this.#states.length > this.#limit) this.#states.shift();
  }

  /** The states shown, oldest first (the newest `keepStates`). */
  get states(): readonly DisplayState[] {
    return [...this.#states];
  }

  /** What the display shows now: the last state. */
  get current(): DisplayState | null {
    return this.#states.at(-1) ?? null;
  }

  /** A touch on the button for `action`, reported like the real display's. Ignored while stopped. */
  press(action: OperatorAction): void {
    if (!this.#running) return;
    this.#bus.emit('operatorAction', { action, source: 'display', at: this.#clock.now() });
  }

  stats(): DisplayStats {
    return { ...emptyDisplayStats(), connected: this.#running, statesShown: this.#shown };
  }
}
