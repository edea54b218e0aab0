import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/event-bus.js';
import type { Frame } from '../core/frame.js';
import type { Logger } from '../core/logger.js';
import { Backoff } from './backoff.js';
import type { FrameSourceStats } from './frame-source.js';
import type { GrayImage } from './gray-frame.js';

export interface SourceReporterDeps {
  readonly name: string;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly reconnect: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** Jitter source for the backoff; Math.random unless a test pins it. */
  readonly random?: (() => number) | undefined;
}

/**
 * The bookkeeping every reconnecting source shares: stamps frames (seq, capturedAt), reports connects, drops of the
 * connection with the backoff delay, and resolution changes on the bus, and keeps the counters behind `stats()`.
 */
export class SourceReporter {
  readonly #deps: SourceReporterDeps;
  readonly #backoff: Backoff;
  #seq = 0;
  #produced = 0;
  #connects = 0;
  #connected = false;
  #size: { width: number; height: number } | null = null;

  constructor(deps: SourceReporterDeps) {
    this.#deps = deps;
    this.#backoff = new Backoff({ ...deps.reconnect, ...(deps.random ? { random: deps.random } : {}) });
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Turns a parsed image into a Frame, announcing a (re)connection or a new size first when there is one. */
  frame(image: GrayImage): Frame {
    const { bus, clock, name, logger } = this.#deps;
    const at = clock.now();
    if (!this.#connected) {
      this.#connected = true;
      this.#connects += 1;
      const attempt = this.#backoff.failures + 1;
      this.#backoff.reset();
      logger.info({ source: name, attempt, width: image.width, height: image.height }, 'capture source connected');
      bus.emit('sourceConnected', { source: name, attempt, at });
    }
    const size = this.#size;
    if (size?.width !== image.width || size.height !== image.height) {
      this.#size = { width: image.width, height: image.height };
      if (size) logger.warn({ source: name, from: size, to: this.#size }, 'capture resolution changed');
      bus.emit('resolutionChanged', { source: name, width: image.width, height: image.height, previous: size, at });
    }
    this.#produced += 1;
    return { seq: this.#seq++, capturedAt: at, width: image.width, height: image.height, format: 'gray8', data: image.data };
  }

  /** A frame was read but passed over (a realtime reader running late): it takes a seq, so the gap shows the drop. */
  skipped(): void {
    this.#seq += 1;
    this.#produced += 1;
  }

  /** The connection went away (or never came): reports it and returns how long to wait before trying again. */
  disconnected(reason: string, details: Record<string, unknown> = {}): number {
    const { bus, clock, name, logger } = this.#deps;
    this.#connected = false;
    const retryInMs = this.#backoff.next();
    const attempt = this.#backoff.failures;
    logger.warn({ source: name, reason, attempt, retryInMs, ...details }, 'capture source disconnected');
    bus.emit('sourceDisconnected', { source: name, reason, attempt, retryInMs, at: clock.now() });
    return retryInMs;
  }

  /** A clean end (a file reached its end or is about to loop): not a disconnection. */
  ended(): void {
    this.#connected = false;
  }

  stats(dropped: number): FrameSourceStats {
    return { produced: this.#produced, dropped, connects: this.#connects, connected: this.#connected };
  }
}
