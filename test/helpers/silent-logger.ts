import { pino } from 'pino';
import type { Logger } from '../../src/core/logger.js';

/** A logger for tests that want no output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
