import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/event-bus.js';
import type { Logger } from '../../core/logger.js';
import { NextionEmulator } from './display-emulator.js';
import type { DisplayState } from './display-state.js';
import { EmulatorLink } from './emulator-link.js';
import { NextionDisplay } from './nextion-display.js';
import type { DisplayStats, StatusDisplay } from './status-display.js';

export interface EmulatedDisplayDeps {
  readonly bus: EventBus;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Writes are paced as on the real line, so the demo behaves like the cart. */
  readonly baudRate?: number;
  /** Log the emulated screen as one text line whenever its page changes. */
  readonly logScreen?: boolean;
}

/**
 * The default display when no serial port is configured: the real driver talking to an in-process emulator, so the
 * demo runs exactly the production protocol path (pacing, diffs, acks, touch) without hardware or socat. The
 * screen goes to the log as text on every page change; `emulator` serves it to a dashboard as a PNG.
 */
export class EmulatedDisplay implements StatusDisplay {
  readonly name = 'display';
  readonly emulator: NextionEmulator;
  readonly #driver: NextionDisplay;
  readonly #logger: Logger;
  readonly #logScreen: boolean;
  #stopLogging: (() => void) | null = null;

  constructor(deps: EmulatedDisplayDeps) {
    this.emulator = new NextionEmulator();
    const link = new EmulatorLink(this.emulator);
    this.#logger = deps.logger;
    this.#logScreen = deps.logScreen ?? true;
    this.#driver = new NextionDisplay({
      open: () => link.open(),
      portName: 'emulator',
      bus: deps.bus,
      logger: deps.logger,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      ...(deps.baudRate === undefined ? {} : { baudRate: deps.baudRate }),
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    this.emulator.powerOn();
    if (this.#logScreen && this.#stopLogging === null) {
      // A page's components follow its page instruction in the same write: log once that write is applied.
      this.#stopLogging = this.emulator.onPageChanged(() => {
        setImmediate(() => this.#logger.info({ screen: this.emulator.renderText() }, 'display'));
      });
    }
    await this.#driver.start(signal);
  }

  async stop(): Promise<void> {
    this.#stopLogging?.();
    this.#stopLogging = null;
    await this.#driver.stop();
  }

  show(state: DisplayState): void {
    this.#driver.show(state);
  }

  stats(): DisplayStats {
    return this.#driver.stats();
  }

  settled(signal?: AbortSignal): Promise<void> {
    return this.#driver.settled(signal);
  }
}
