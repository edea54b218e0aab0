import type { Lifecycle } from '../../core/lifecycle.js';
import type { DisplayState } from './display-state.js';

/**
 * The port for the cart's status display. `show()` never blocks and never throws: the newest state wins and is
 * drawn as soon as the display can take it; a display that is unplugged gets the current state when it is back.
 * Touches come back on the bus as `operatorAction` with source `display`.
 */
export interface StatusDisplay extends Lifecycle {
  show(state: DisplayState): void;
  stats(): DisplayStats;
}

export interface DisplayStats {
  readonly connected: boolean;
  /** show() calls. */
  readonly statesShown: number;
  /** States replaced by a newer one before any of it was sent. */
  readonly statesCoalesced: number;
  readonly writes: number;
  readonly bytesWritten: number;
  readonly instructions: number;
  readonly acks: number;
  readonly ackTimeouts: number;
  /** Failure replies by name (invalid_variable, buffer_overflow, ...). */
  readonly errors: Readonly<Record<string, number>>;
  readonly garbageBytes: number;
  readonly malformed: number;
  /** Connections made after the first one (unplug/replug, a display that stopped answering). */
  readonly reconnects: number;
  /** Start-up messages seen while connected: the display rebooted under us. */
  readonly displayRestarts: number;
  readonly touches: number;
}

export function emptyDisplayStats(): DisplayStats {
  return {
    connected: false,
    statesShown: 0,
    statesCoalesced: 0,
    writes: 0,
    bytesWritten: 0,
    instructions: 0,
    acks: 0,
    ackTimeouts: 0,
    errors: {},
    garbageBytes: 0,
    malformed: 0,
    reconnects: 0,
    displayRestarts: 0,
    touches: 0,
  };
}
