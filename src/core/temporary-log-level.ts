import type { Logger } from './logger.js';

/**
 * A log level changed from outside (the fleet's `log_level/set`) for a while: `debug` on a cart left on for a week
 * would fill its disk, so the configured level comes back by itself after `durationS`.
 */
export class TemporaryLogLevel {
  readonly #logger: Logger;
  readonly #configured: string;
  #timer: NodeJS.Timeout | null = null;

  constructor(logger: Logger, configured: string) {
    this.#logger = logger;
    this.#configured = configured;
  }

  set(level: string, durationS: number): { level: string; until: string; thenLevel: string } {
    if (this.#timer) clearTimeout(this.#timer);
    this.#logger.level = level;
    this.#logger.info({ level, durationS }, `log level ${level} for ${durationS} s`);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#logger.level = this.#configured;
      this.#logger.info({ level: this.#configured }, 'log level back to the configured one');
    }, durationS * 1000);
    this.#timer.unref();
    return { level, until: new Date(Date.now() + durationS * 1000).toISOString(), thenLevel: this.#configured };
  }
}
